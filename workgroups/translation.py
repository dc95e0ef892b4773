from modeltranslation.translator import TranslationOptions, register

from .models import Option, Question, Questionnaire, Space, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ar",)


@register(Space)
class SpaceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ar",)


@register(Questionnaire)
class QuestionnaireTranslation(TranslationOptions):
    fields = ("title", "intro")
    required_languages = ("ar",)


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "help_text")
    required_languages = ("ar",)


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("ar",)
