"""Every string a user sees is translated: catalogs complete, and up to date with the code."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
IGNORE = [".venv", "assets", "staticfiles", "var", "test-artifacts", "tests"]


def _statistics(po):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_catalog_is_complete(language):
    statistics = _statistics(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in statistics and "fuzzy" not in statistics, statistics


def test_catalog_holds_every_string_of_the_code(tmp_path):
    """Extract the strings again into a copy of the Arabic catalog: nothing may come out untranslated."""
    target = tmp_path / "ar" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po", target / "django.po")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("makemessages", locale=["ar"], ignore_patterns=IGNORE, no_obsolete=True, verbosity=0)
    statistics = _statistics(target / "django.po")
    assert "untranslated" not in statistics and "fuzzy" not in statistics, (
        f"{statistics}: run `make messages` and translate the new strings"
    )


def test_arabic_pages_show_arabic_interface_text(client, django_user_model):
    body = client.get("/accounts/login/").content.decode()
    assert "تسجيل الدخول" in body
    assert "Sign in" not in body
