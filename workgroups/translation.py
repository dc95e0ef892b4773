from modeltranslation.translator import TranslationOptions, register

from .models import Space, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ar",)


@register(Space)
class SpaceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("ar",)
