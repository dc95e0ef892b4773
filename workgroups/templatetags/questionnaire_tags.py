from django import template

register = template.Library()


@register.filter
def questionnaire_fields_of(form, question):
    """The bound fields of one question of a SubmissionForm (a ranking has one per option)."""
    return form.fields_of(question)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
