"""The vendored Bootstrap stylesheets keep only the rules the platform's mark-up uses (PurgeCSS, run by
scripts/vendor_static.sh). A template that starts using a Bootstrap class the purge dropped would get
no style at all, silently: this test names the class, and running the script again fixes it."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["accounts", "chat", "cssr", "documents", "events", "workgroups"]
TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # PurgeCSS's default extractor
WRITES_CLASSES = re.compile(r'class="|"class"')


def _scanned_files():
    """The files assets/purge-css.cjs scans, chosen the same way."""
    files = list((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        files += (ROOT / app / "templates").rglob("*.html")
        files += [
            path
            for path in (ROOT / app).rglob("*.py")
            if not {"migrations", "admin"} & set(path.relative_to(ROOT / app).parts[:-1])
            and WRITES_CLASSES.search(path.read_text())
        ]
    files += (ROOT / "static" / "js").glob("*.js")
    return files


def _bootstrap_classes():
    """{class name: kept by the last purge} of every class in Bootstrap's full stylesheet."""
    lines = (ROOT / "assets" / "bootstrap-classes.txt").read_text().splitlines()
    return {name: state == "used" for name, state in (line.split("\t") for line in lines)}


def test_every_bootstrap_class_the_mark_up_names_was_kept_by_the_purge():
    classes = _bootstrap_classes()
    assert classes["btn"] and "d-none" in classes  # the list covers the whole of Bootstrap
    dropped = {}
    for path in _scanned_files():
        for token in set(TOKEN.findall(path.read_text())):
            if token in classes and not classes[token]:
                dropped.setdefault(token, str(path.relative_to(ROOT)))
    assert not dropped, (
        "Bootstrap classes used since the stylesheets were purged (run scripts/vendor_static.sh): "
        + ", ".join(f"{name} ({where})" for name, where in sorted(dropped.items()))
    )


def test_the_purged_stylesheets_keep_bootstraps_variables_and_what_its_scripts_add():
    for name in ("bootstrap.min.css", "bootstrap.rtl.min.css"):
        css = (ROOT / "static" / "vendor" / "bootstrap" / name).read_text()
        assert "--bs-body-font-family:" in css and "--bs-primary:" in css, name
        assert len(css) < 100_000, f"{name} is no longer purged ({len(css)} bytes)"
        for kept in ("collapsing", "show", "fade", "alert-danger", "btn", "navbar-toggler"):
            assert re.search(rf"\.{kept}(?![\w-])", css), f"{name} lacks .{kept}"
