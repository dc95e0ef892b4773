"""The DOCX export of a draft or a final note, read back with python-docx: Word lists for Markdown
lists, right-to-left Arabic paragraphs with the Arabic font for complex scripts, and file properties
that date the export and name nobody."""

import datetime
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn

from documents import exports
from documents.services import drafts as services

from .hostile_corpus import HOSTILE_MARKDOWN

pytestmark = pytest.mark.django_db

SECTION_TEXT = """تمهيد **مهم** حول *المبادئ*

- الحقوق المدنية
- الحريات العامة
  - حرية التعبير
  - حرية التجمع

1. البند الأول
2. البند الثاني

فقرة بين قائمتين

1. قائمة جديدة
2. تبدأ من جديد

فقرة ثانية

7. قائمة تبدأ من سبعة

- English bullet item

> اقتباس من ورقة سابقة"""


def _export(world, text=SECTION_TEXT):
    member = world["users"]["member"]
    draft = services.draft_create(actor=member, space=world["space"], title="ورقة المبادئ")
    section = draft.sections.get()
    services.section_save(actor=member, section=section, text=text, base_revision=0)
    return world, draft


def _document(clients, world, draft, role="member"):
    response = clients[role].get(
        reverse("documents:draft-export", args=[world["space"].pk, draft.pk, "docx"])
    )
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def _paragraph(document, text):
    return next(paragraph for paragraph in document.paragraphs if paragraph.text == text)


def _numbering(paragraph):
    """(numId, ilvl) the paragraph's own properties give it, or None."""
    properties = paragraph._p.pPr
    if properties is None or properties.numPr is None:
        return None
    return properties.numPr.numId.val, properties.numPr.ilvl.val


def _start_of(document, num_id):
    """The start override of a numbering instance, or None."""
    numbering = document.part.numbering_part.element
    override = numbering.num_having_numId(num_id).find(qn("w:lvlOverride"))
    if override is None or override.find(qn("w:startOverride")) is None:
        return None
    return int(override.find(qn("w:startOverride")).get(qn("w:val")))


def _style_numbering(document, style_name):
    """The numId a list style numbers its paragraphs with (python-docx's template defines it)."""
    return document.styles[style_name].element.pPr.numPr.numId.val


def test_markdown_bullets_are_word_bullet_lists_with_nested_levels(world, clients):
    _, draft = _export(world)
    document = _document(clients, world, draft)
    for text in ("الحقوق المدنية", "الحريات العامة", "English bullet item"):
        assert _paragraph(document, text).style.name == "List Bullet", text
    for text in ("حرية التعبير", "حرية التجمع"):
        assert _paragraph(document, text).style.name == "List Bullet 2", text
    # the markers are Word's, not characters of the text
    assert not any(paragraph.text.startswith(("-", "*", "•")) for paragraph in document.paragraphs)
    # a bulleted style is numbered by Word's numbering part: the list is a real list
    assert _style_numbering(document, "List Bullet") is not None


def test_each_numbered_list_is_a_word_list_starting_at_its_own_first_number(world, clients):
    _, draft = _export(world)
    document = _document(clients, world, draft)
    first = [_paragraph(document, text) for text in ("البند الأول", "البند الثاني")]
    second = [_paragraph(document, text) for text in ("قائمة جديدة", "تبدأ من جديد")]
    seventh = _paragraph(document, "قائمة تبدأ من سبعة")
    assert {paragraph.style.name for paragraph in [*first, *second, seventh]} == {"List Number"}
    # the items of one list share a numbering; the next list has its own, so it does not go on at 3
    assert _numbering(first[0]) == _numbering(first[1]) != _numbering(second[0]) == _numbering(second[1])
    assert _start_of(document, _numbering(first[0])[0]) == 1
    assert _start_of(document, _numbering(second[0])[0]) == 1
    assert _start_of(document, _numbering(seventh)[0]) == 7
    # the paragraph between the lists is no list item
    assert _paragraph(document, "فقرة بين قائمتين").style.name == "Normal"
    assert _numbering(_paragraph(document, "فقرة بين قائمتين")) is None


def test_emphasis_and_quotes_keep_their_form(world, clients):
    _, draft = _export(world)
    document = _document(clients, world, draft)
    opening = _paragraph(document, "تمهيد مهم حول المبادئ")
    runs = {run.text: run for run in opening.runs}
    assert runs["مهم"].bold and runs["مهم"].font.cs_bold
    assert runs["المبادئ"].italic and runs["المبادئ"].font.cs_italic
    assert not runs["تمهيد "].bold and not runs["تمهيد "].italic
    assert _paragraph(document, "اقتباس من ورقة سابقة").style.name == "Quote"


def test_arabic_list_items_are_right_to_left_with_the_arabic_font_and_english_ones_left_to_right(
    world, clients
):
    _, draft = _export(world)
    document = _document(clients, world, draft)
    arabic = _paragraph(document, "الحقوق المدنية")
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    for run in arabic.runs:
        assert run.font.rtl is True
        assert run._r.rPr.rFonts.get(qn("w:cs")) == exports.FONT_FAMILY
    english = _paragraph(document, "English bullet item")
    assert english._p.pPr.find(qn("w:bidi")) is None
    assert not english.runs[0].font.rtl
    # the document's default font for complex scripts is the Arabic one too
    normal_fonts = document.styles["Normal"].element.rPr.rFonts
    assert normal_fonts.get(qn("w:cs")) == exports.FONT_FAMILY
    # the font named is the one the PDF export embeds
    assert exports.FONT_FAMILY == "IBM Plex Sans Arabic"
    # an Arabic draft's pages run right to left, on A4 as the PDF
    page = document.sections[0]
    assert page._sectPr.find(qn("w:bidi")) is not None
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)


def test_file_properties_date_the_export_and_name_no_author(world, clients):
    _, draft = _export(world)
    before = timezone.now().replace(microsecond=0)
    document = _document(clients, world, draft, role="rapporteur")
    after = timezone.now()
    properties = document.core_properties
    for moment in (properties.created, properties.modified):
        assert before <= moment.replace(tzinfo=datetime.UTC) <= after, moment
    assert properties.author == "" and properties.last_modified_by == ""
    assert properties.comments == "" and properties.title == "ورقة المبادئ"
    names = set()
    for user in world["users"].values():
        if user is not None:
            names |= {user.display_name, user.username}
    core_xml = document.part.package.part_related_by(
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
    ).blob.decode()
    for name in names:
        assert name not in core_xml, name


def test_hostile_markdown_exports_as_text_without_error(world):
    member = world["users"]["member"]
    draft = services.draft_create(actor=member, space=world["space"], title="ورقة المبادئ")
    section = draft.sections.get()
    for revision, body in enumerate(HOSTILE_MARKDOWN):
        services.section_save(actor=member, section=section, text=body, base_revision=revision)
        section.refresh_from_db()
        document = docx.Document(io.BytesIO(exports.draft_docx(draft)))
        assert document.paragraphs[0].text == "ورقة المبادئ", body
