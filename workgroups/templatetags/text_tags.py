from django import template

from cssr import text

register = template.Library()


@register.filter
def markdown(body):
    """Render a user's Markdown body as sanitised HTML (see cssr.text)."""
    return text.render_markdown(body or "")


@register.filter
def plain_with_mentions(body):
    """A plain-text body (a chat message) escaped, with line breaks and highlighted @mentions."""
    return text.render_plain(body or "")
