"""The document library in a real browser, in Arabic, on a phone-sized screen: upload, new version,
the version list, a refused file, and a download that keeps its Arabic name."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from documents.models import Document
from tests import factories
from tests.matrix.documents import png_bytes
from tests.test_documents_library import minimal_pdf

from .conftest import html_lang_dir, login

NAME = "ورقة المبادئ الدستورية.pdf"


@pytest.fixture
def library(conduct):
    space = factories.make_space(name="مجموعة القضايا الدستورية", name_en="Constitutional issues")
    users = {
        "rana": factories.add_member(space, username="rana", display_name="رنا"),
        "omar": factories.add_member(space, username="omar", display_name="عمر"),
    }
    return {"space": space, "users": users}


def _choose(page, selector, name, data, mime):
    page.set_input_files(selector, files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_members_upload_version_and_download_in_arabic(new_page, live_server, library, artifacts_dir):
    space = library["space"]
    first, second = minimal_pdf("first"), minimal_pdf("second version")

    rana = new_page()
    login(rana, live_server, "rana")
    rana.goto(f"{live_server.url}{reverse('documents:document-list', args=[space.pk])}")
    assert html_lang_dir(rana) == ("ar", "rtl")
    assert rana.locator("h1", has_text="المستندات").count() == 1
    rana.get_by_role("link", name="رفع مستند").click()

    # A renamed program is refused with a message in Arabic, and nothing is kept.
    rana.fill("input[name=title]", "ورقة المبادئ الدستورية")
    _choose(rana, "input[name=file]", NAME, b"MZ" + b"\x00" * 200, "application/pdf")
    rana.locator("#main form button[type=submit]").click()
    assert rana.locator(".alert-danger", has_text="لا يمكن رفع البرامج").count() == 1
    assert Document.objects.count() == 0

    rana.fill("input[name=title]", "ورقة المبادئ الدستورية")
    rana.fill("input[name=folder]", "أوراق العمل")
    rana.fill("input[name=tags]", "دستور، حقوق")
    _choose(rana, "input[name=file]", NAME, first, "application/pdf")
    rana.locator("#main form button[type=submit]").click()
    rana.wait_for_url("**/documents/*/")
    assert rana.locator(".alert-success", has_text="أُضيف المستند إلى المكتبة").count() == 1
    assert rana.locator("table.version-table tbody tr").count() == 1

    omar = new_page()
    login(omar, live_server, "omar")
    omar.goto(rana.url)
    _choose(omar, "input[name=file]", "ورقة المبادئ - معدلة.pdf", second, "application/pdf")
    omar.fill("input[name=note]", "إضافة مبدأ المشاركة")
    omar.get_by_role("button", name="رفع النسخة الجديدة").click()
    omar.wait_for_url("**/documents/*/")
    rows = omar.locator("table.version-table tbody tr")
    assert rows.count() == 2
    assert "عمر" in rows.nth(0).inner_text() and "إضافة مبدأ المشاركة" in rows.nth(0).inner_text()
    assert "رنا" in rows.nth(1).inner_text()
    omar.screenshot(path=str(artifacts_dir / "library-versions-ar.png"), full_page=True)

    # The first version is still there, under the name it was uploaded with.
    with omar.expect_download() as info:
        rows.nth(1).get_by_role("link", name="تنزيل").click()
    download = info.value
    assert download.suggested_filename == NAME
    with open(download.path(), "rb") as handle:
        assert handle.read() == first


def test_photo_thumbnail_is_shown_in_the_list(new_page, live_server, library, artifacts_dir):
    space = library["space"]
    page = new_page()
    login(page, live_server, "rana")
    page.goto(f"{live_server.url}{reverse('documents:document-create', args=[space.pk])}")
    page.fill("input[name=title]", "صورة من الورشة")
    _choose(page, "input[name=file]", "ورشة.png", png_bytes((400, 300)), "image/png")
    page.locator("#main form button[type=submit]").click()
    page.wait_for_url("**/documents/*/")
    page.goto(f"{live_server.url}{reverse('documents:document-list', args=[space.pk])}")
    thumbnail = page.locator("img.document-thumbnail")
    thumbnail.wait_for()
    # expect() polls inside Playwright's own injected script; wait_for_function would eval a
    # string in the page, which the platform's CSP (script-src 'self') rightly refuses.
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=str(artifacts_dir / "library-list-ar.png"), full_page=True)
