"""Exports of a draft or a final note: PDF (WeasyPrint) and DOCX (python-docx).

Non-attribution: an export holds the title, the space, the sections' titles and texts and,
for a submitted note, the date of submission. It never names a participant, a revision's author or
a commenter, and reads no revision or comment at all.

Arabic: each paragraph takes the direction of its first strong letter. In the PDF the vendored
IBM Plex Sans Arabic font is embedded (WeasyPrint shapes the text with HarfBuzz) and paragraphs get
dir="rtl"/"ltr". In the DOCX paragraphs get w:bidi and their runs w:rtl, with the Arabic font set
for complex scripts (w:rFonts w:cs) so Word shapes and orders them right to left.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field

import docx
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from cssr import text as markdown_text

from .models import Draft

FONT_FAMILY = "IBM Plex Sans Arabic"
FONT_FILES = {
    400: "vendor/fonts/ibm-plex-sans-arabic-400.woff2",
    700: "vendor/fonts/ibm-plex-sans-arabic-700.woff2",
}
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Block:
    direction: str  # "rtl" or "ltr"
    markdown: str


@dataclass
class ExportSection:
    title: str
    direction: str
    blocks: list
    html_blocks: list = field(default_factory=list)


def direction_of(value, default="rtl"):
    """ "rtl" or "ltr" from the first strong letter of `value` (Unicode bidi classes); `default` if none."""
    for character in value or "":
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return default


def _blocks(value):
    return [
        Block(direction_of(part), part.strip()) for part in _BLANK_LINES.split(value or "") if part.strip()
    ]


def export_sections(draft):
    """The draft's sections with text, as blocks with their direction. ValidationError if empty."""
    sections = [
        ExportSection(title, direction_of(title), _blocks(value))
        for title, value in draft.sections.order_by("position", "pk").values_list("title", "text")
    ]
    sections = [section for section in sections if section.blocks]
    if not sections:
        raise ValidationError(_("This draft is empty: there is nothing to export."), code="empty")
    return sections


def _context(draft):
    sections = export_sections(draft)
    submitted = ""
    if draft.is_final_note and draft.submitted_at:
        submitted = _("Submitted to the Office of the Special Envoy on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(draft.submitted_at), "DATE_FORMAT")
        }
    return {
        "draft": draft,
        "sections": sections,
        "direction": direction_of(draft.title),
        "kind": Draft.Kind(draft.kind).label,
        "space_name": draft.space.name,
        "submitted": submitted,
    }


def export_filename(draft, extension):
    """A file name from the title: letters (Arabic kept), digits and dashes only."""
    stem = re.sub(r"[^\w\u0600-\u06ff]+", "-", draft.title, flags=re.UNICODE).strip("-_")[:80] or "draft"
    return f"{stem}.{extension}"


def _font_face_css():
    faces = []
    for weight, path in FONT_FILES.items():
        found = finders.find(path)
        if found:
            faces.append(
                f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
                f'src: url("file://{found}"); }}'
            )
    return "\n".join(faces)


def draft_pdf(draft) -> bytes:
    """The draft as a PDF with the Arabic font embedded. ValidationError if the draft is empty."""
    # Imported here: WeasyPrint takes most of a second to load and needs the system's Pango, which
    # no other page does.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    context = _context(draft)
    for section in context["sections"]:
        section.html_blocks = [
            (block.direction, markdown_text.render_markdown(block.markdown)) for block in section.blocks
        ]
    html = render_to_string("documents/draft_export.html", context)
    fonts = FontConfiguration()
    stylesheet = CSS(string=_font_face_css() + EXPORT_CSS, font_config=fonts)
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[stylesheet], font_config=fonts)


# In a file of its own the PDF would need a loader; it is short and used only here.
EXPORT_CSS = f"""
@page {{ size: A4; margin: 2cm 2cm 2.2cm; @bottom-center {{ content: counter(page) " / " counter(pages);
  font-family: "{FONT_FAMILY}"; font-size: 9pt; color: #555; }} }}
html {{ font-family: "{FONT_FAMILY}", sans-serif; font-size: 11.5pt; line-height: 1.7; color: #111; }}
h1 {{ font-size: 18pt; margin: 0 0 .3em; }}
h2 {{ font-size: 13.5pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #bbb; padding-bottom: .15em; }}
.meta {{ color: #444; font-size: 10pt; margin: 0 0 1.2em; }}
[dir=rtl] {{ direction: rtl; text-align: right; }}
[dir=ltr] {{ direction: ltr; text-align: left; }}
blockquote {{ margin-inline-start: 1em; padding-inline-start: .6em; border-inline-start: 3px solid #ccc; }}
"""


def _paragraph_bidi(paragraph):
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(
        OxmlElement("w:bidi"),
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def _run(paragraph, value, *, direction, bold=False):
    run = paragraph.add_run(value)
    run.bold = bold or None
    run.font.name = FONT_FAMILY
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), FONT_FAMILY)
    fonts.set(qn("w:hAnsi"), FONT_FAMILY)
    if direction == "rtl":
        run.font.rtl = True
        run.font.cs_bold = bold or None
    return run


def _docx_paragraph(document, value, *, direction, style=None, bold=False):
    paragraph = document.add_paragraph(style=style)
    if direction == "rtl":
        _paragraph_bidi(paragraph)
    _run(paragraph, value, direction=direction, bold=bold)
    return paragraph


def _plain_lines(block):
    """A Markdown block as the plain lines a reader sees (list items and line breaks kept apart)."""
    return [line for line in (markdown_text.plain_text(part) for part in block.markdown.split("\n")) if line]


def draft_docx(draft) -> bytes:
    """The draft as a Word document with right-to-left Arabic paragraphs. ValidationError if empty."""
    context = _context(draft)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT_FAMILY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:cs"), FONT_FAMILY)
    direction = context["direction"]
    _docx_paragraph(document, draft.title, direction=direction, style="Title")
    meta = f"{context['kind']} · {context['space_name']}"
    _docx_paragraph(document, meta, direction=direction_of(meta, direction))
    if context["submitted"]:
        _docx_paragraph(
            document, context["submitted"], direction=direction_of(context["submitted"], direction)
        )
    for section in context["sections"]:
        _docx_paragraph(document, section.title, direction=section.direction, style="Heading 1")
        for block in section.blocks:
            for line in _plain_lines(block):
                _docx_paragraph(document, line, direction=direction_of(line, block.direction))
    document.core_properties.title = draft.title
    document.core_properties.author = ""
    document.core_properties.last_modified_by = ""
    document.core_properties.comments = ""
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def final_note_for_archive(draft):
    """A submitted final note as (PDF bytes, title), for publishing it to the knowledge archive.

    ValidationError if the draft is not a submitted final note, or is empty."""
    if not (draft.is_final_note and draft.is_locked):
        raise ValidationError(_("Only a submitted final note can be archived."), code="not_submitted")
    return draft_pdf(draft), draft.title
