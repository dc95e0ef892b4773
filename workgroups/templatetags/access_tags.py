from django import template

from workgroups import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj):
    """{% can "contribute" space as may_contribute %}: the permission core's answer, for templates."""
    return access.can(context["request"].user, action, obj)


@register.simple_tag(takes_context=True)
def may(context, rule, obj, *args):
    """{% may "change_post" post as allowed %}: the permission core's `can_<rule>` for the signed-in user."""
    return getattr(access, f"can_{rule}")(context["request"].user, obj, *args)
