"""A backup made with the documented commands (scripts/backup.sh, docs/operations.md) restores, with the
documented commands (scripts/restore.sh), into a fresh database and a fresh media folder that hold what
was written: a post, a membership, and an uploaded document's exact bytes.

On PostgreSQL (CI's second pass) the backup is `pg_dump -Fc` of the test database and the restore
`pg_restore` into a new database; on the embedded default it is SQLite's online backup API on the
database file while the platform's connection to it is open, restored as a new file. Rows are committed
(pg_dump and SQLite's backup see committed data only).
"""

import os
import sqlite3
import subprocess
import uuid
from contextlib import closing, contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from documents.models import DocumentVersion
from documents.services import library as services_library
from workgroups import services as workgroup_services
from workgroups.models import Membership, Post, Role

from . import factories
from .test_live_server_sockets import _shared_database

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPTS = settings.BASE_DIR / "scripts"


def _run(script, folder, *, database_url, media_root):
    """One of the documented scripts, with the platform's two settings it reads."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    result = subprocess.run(
        [SCRIPTS / script, str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


@contextmanager
def _fresh_postgres_database():
    """A new, empty database on the test database's server (dropped afterwards) and its URL."""
    db = connections["default"].settings_dict
    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _restored_database(vendor, folder, tmp_path, media_root):
    """Restore `folder` with the documented script; yields a DB-API connection to the restored database."""
    if vendor == "postgresql":
        with _fresh_postgres_database() as url:
            _run("restore.sh", folder, database_url=url, media_root=media_root)
            with psycopg.connect(url) as restored:
                yield restored
        return
    path = tmp_path / "restored" / "cssr.sqlite3"
    _run("restore.sh", folder, database_url=f"sqlite:///{path}", media_root=media_root)
    with closing(sqlite3.connect(path)) as restored:
        yield restored


def _select(connection, model, columns, **where):
    """`columns` of `model`'s rows matching `where`, read with plain SQL from a restored database."""
    placeholder = "%s" if isinstance(connection, psycopg.Connection) else "?"
    condition = " AND ".join(f"{column} = {placeholder}" for column in where)
    sql = f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE {condition}"  # noqa: S608 - names from the models
    with closing(connection.cursor()) as cursor:
        cursor.execute(sql, list(where.values()))
        return cursor.fetchall()


def test_a_backup_restores_posts_memberships_and_uploaded_files_into_a_fresh_database(world, tmp_path):
    vendor = connections["default"].vendor
    database_url, put_back = _shared_database(
        tmp_path
    )  # SQLite: the test database as a file the script reads
    try:
        space = world["space"]
        newcomer = factories.add_member(space, role=Role.RAPPORTEUR, username="newcomer")
        thread = workgroup_services.thread_create(
            actor=world["users"]["member"], space=space, title="المبادئ الدستورية", body="نص أول"
        )
        post = workgroup_services.post_create(
            actor=newcomer, thread=thread, body="رد محفوظ في النسخة الاحتياطية"
        )
        data = "ملاحظات الجلسة الأولى\n".encode() + uuid.uuid4().hex.encode()
        document = services_library.document_create(
            actor=world["users"]["member"],
            space=space,
            title="ملاحظات",
            upload=SimpleUploadedFile("ملاحظات.txt", data, content_type="text/plain"),
        )
        version = DocumentVersion.objects.get(document=document)

        backup = tmp_path / "backup"
        _run("backup.sh", backup, database_url=database_url, media_root=settings.MEDIA_ROOT)
        assert sorted(path.name for path in backup.iterdir()) == sorted(
            ["cssr.dump" if vendor == "postgresql" else "cssr.sqlite3", "media.tar", "SHA256SUMS"]
        )

        media = tmp_path / "restored-media"
        with _restored_database(vendor, backup, tmp_path, media) as restored:
            assert _select(restored, Post, ["body", "author_id"], id=post.pk) == [(post.body, newcomer.pk)]
            assert _select(
                restored, Membership, ["role", "state"], user_id=newcomer.pk, space_id=space.pk
            ) == [(Role.RAPPORTEUR, Membership.State.ACTIVE)]
            assert _select(restored, DocumentVersion, ["file", "sha256"], id=version.pk) == [
                (version.file.name, version.sha256)
            ]
        assert (media / version.file.name).read_bytes() == data
    finally:
        put_back()
