"""Ids from a request's path, query string or form body.

An id is 1 to 18 ASCII digits. `str.isdigit()` also accepts "²" (which `int()` refuses), `int()`
reads Arabic-Indic digits, and both let through numbers no 64-bit column holds: each of these once
reached the database and answered with a server error. Views ask `int_param`, forms use the fields
below, paths the `<id:…>` converter (cssr/converters.py). Anything else is "not an id": a view
ignores it or answers 404, a form shows its field's error; nothing is looked up or written.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from .converters import ID_PATTERN

_ID = re.compile(ID_PATTERN)


def parse_id(value):
    """`value` as an int if it is 1 to 18 ASCII digits, else None (also for None and non-strings)."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def int_param(query, name):
    """The parameter `name` of a QueryDict (request.GET or request.POST) as an id, or None."""
    return parse_id(query.get(name))


class IdField(forms.IntegerField):
    """A form field holding an id: anything but 1 to 18 ASCII digits is the field's "invalid" error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class ModelChoiceIdField(forms.ModelChoiceField):
    """ModelChoiceField whose choices are looked up only by a well-formed id."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceIdField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose choices are looked up only by well-formed ids."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
