"""The audit trail's trigger also lets anonymisation blank a line's label (the object's name as it was,
which may name the person); nothing else of the line changes. The function is 0004's with that one
more exception; see 0004 for the rest of the guard."""

import importlib

from django.db import migrations

_previous = importlib.import_module("accounts.migrations.0004_audit_append_only")
_FUNCTION = _previous.FORWARD.split("CREATE TRIGGER")[0]  # 0004's function, without its trigger
_LABEL_BLANKED = """    IF TG_OP = 'UPDATE' AND NEW.target_label = ''
       AND (to_jsonb(NEW) - 'target_label') = (to_jsonb(OLD) - 'target_label') THEN
        RETURN NEW;  -- anonymisation forgets a name in a label; the line stays
    END IF;
"""
FORWARD = _FUNCTION.replace("    RAISE EXCEPTION", _LABEL_BLANKED + "    RAISE EXCEPTION", 1)
BACKWARD = _FUNCTION


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_audit_append_only"),
    ]

    operations = [
        migrations.RunPython(_previous._on_postgresql(FORWARD), _previous._on_postgresql(BACKWARD), elidable=False),
    ]
