"""PostgreSQL only: the trigram extension and indexes behind search (SQLite searches without them)."""

from django.db import migrations

INDEXED = ["workgroups_thread", "workgroups_post", "workgroups_concern", "workgroups_agendaitem"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in INDEXED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in INDEXED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("workgroups", "0005_discussions_concerns_agenda_notifications")]
    operations = [migrations.RunPython(forwards, backwards)]
