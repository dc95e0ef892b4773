from django import template

from cssr import text

register = template.Library()


@register.filter
def markdown(body):
    """Render a user's Markdown body as sanitised HTML (see cssr.text)."""
    return text.render_markdown(body or "")
