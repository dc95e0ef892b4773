from modeltranslation.translator import TranslationOptions, register

from .models import CodeOfConduct, ExpertiseArea


@register(CodeOfConduct)
class CodeOfConductTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("ar",)


@register(ExpertiseArea)
class ExpertiseAreaTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ar",)
