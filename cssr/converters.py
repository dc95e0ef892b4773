"""The `<id:…>` path converter: a database id is 1 to 18 ASCII digits.

Django's `<int:…>` takes any number of digits, so `/documents/99999999999999999999/` reached the view
with an integer no 64-bit column holds, and the database refused it with a server error. Eighteen
digits always fit; anything else in the place of an id is not a page (404). Every `urls.py` uses
`<id:…>` for ids and imports this module, which registers it.
"""

from django.urls import register_converter

ID_PATTERN = "[0-9]{1,18}"


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
