"""On PostgreSQL, the database itself refuses to change or delete a line of the audit trail.

The model and its queryset already refuse it; the trigger also stops raw SQL, a shell or a bug. The
one change let through is the foreign key's SET NULL when an account is deleted: the line stays,
identical but for `actor_id`; and blanking an old `address` (accounts.tasks.forget_old_metadata). (TRUNCATE is left to the table's owner: the test runner needs it, and
an owner can disable triggers anyway; database roles are the guard against the owner.) SQLite, the
embedded default, keeps the model's guard only.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.address = ''
       AND (to_jsonb(NEW) - 'address') = (to_jsonb(OLD) - 'address') THEN
        RETURN NEW;  -- the retention job forgets an old address; the line stays
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the "%" in RAISE is not a placeholder

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_audit_trail_known_devices_anonymised"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
