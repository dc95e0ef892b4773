"""Exports of a draft or a final note: PDF (WeasyPrint) and DOCX (python-docx).

Non-attribution: an export holds the title, the space, the sections' titles and texts and,
for a submitted note, the date of submission. It never names a participant, a revision's author or
a commenter, and reads no revision or comment at all.

Arabic: each paragraph takes the direction of its first strong letter. In the PDF the vendored
IBM Plex Sans Arabic font is embedded (WeasyPrint shapes the text with HarfBuzz) and paragraphs get
dir="rtl"/"ltr". In the DOCX paragraphs get w:bidi and their runs w:rtl, with the Arabic font set
for complex scripts (w:rFonts w:cs) so Word shapes and orders them right to left.

Markdown in the DOCX: bulleted and numbered lists are Word lists (the List Bullet and List Number
styles, nested up to three levels, each numbered list starting at its own first number), headings,
quotes, bold, italic and struck text keep their form. The file's created and modified dates are the
time of the export, and its author is left empty.
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
from docx.shared import Mm

from cssr import text as markdown_text

from .models import Draft

FONT_FAMILY = "IBM Plex Sans Arabic"
# One weight is vendored (scripts/vendor_static.sh): bold text is drawn from it, as browsers do.
FONT_FILES = {400: "vendor/fonts/ibm-plex-sans-arabic-400.woff2"}
_BLANK_LINES = re.compile(r"\n\s*\n")
# Characters XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF): python-docx refuses a run that has one.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
    markdown: str = ""


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
        ExportSection(title, direction_of(title), _blocks(value), markdown=value or "")
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


def _run(paragraph, value, *, direction, bold=False, italic=False, strike=False):
    run = paragraph.add_run(_NOT_IN_XML.sub("", value))
    run.bold = bold or None
    run.italic = italic or None
    run.font.strike = strike or None
    run.font.name = FONT_FAMILY
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), FONT_FAMILY)
    fonts.set(qn("w:hAnsi"), FONT_FAMILY)
    if direction == "rtl":
        run.font.rtl = True
        run.font.cs_bold = bold or None
        run.font.cs_italic = italic or None
    return run


def _docx_paragraph(document, value, *, direction, style=None, bold=False):
    paragraph = document.add_paragraph(style=style)
    if direction == "rtl":
        _paragraph_bidi(paragraph)
    _run(paragraph, value, direction=direction, bold=bold)
    return paragraph


# Word's built-in list styles by depth (python-docx's template has three levels of each).
_LIST_STYLES = {
    "bullet_list_open": ("List Bullet", "List Bullet 2", "List Bullet 3"),
    "ordered_list_open": ("List Number", "List Number 2", "List Number 3"),
}
_LIST_CONTINUE_STYLES = ("List Continue", "List Continue 2", "List Continue 3")
# Participants' headings are h4-h6 (cssr.text); the section's own title is Heading 1.
_HEADING_STYLES = {"h4": "Heading 2", "h5": "Heading 3", "h6": "Heading 4"}
_FORMATS = {"strong": "bold", "em": "italic", "s": "strike"}


def _numbered_list_start(document, style_name, start):
    """A numbering of its own for one numbered list, so that it starts at `start` instead of going on
    from the list before it: the style's numbering definition with a start override. (numId, ilvl)."""
    style_numbering = document.styles[style_name].element.pPr.numPr
    level = style_numbering.ilvl.val if style_numbering.ilvl is not None else 0
    numbering = document.part.numbering_part.element
    definition = numbering.num_having_numId(style_numbering.numId.val).abstractNumId.val
    num = numbering.add_num(definition)
    num.add_lvlOverride(ilvl=level).add_startOverride(start)
    return num.numId, level


class _MarkdownToDocx:
    """Writes a section's Markdown (markdown-it tokens, as `cssr.text` parses it for the page) into a
    Word document, each paragraph in the direction of its own first letter."""

    def __init__(self, document, *, direction):
        self.document = document
        self.direction = direction
        self.lists = []  # the open lists, outermost first
        self.quotes = 0
        self.heading_style = None

    def write(self, markdown):
        for token in markdown_text.markdown_tokens(markdown):
            kind = token.type
            if kind in _LIST_STYLES:
                depth = min(len(self.lists), len(_LIST_CONTINUE_STYLES) - 1)
                style = _LIST_STYLES[kind][depth]
                numbering = None
                if kind == "ordered_list_open":
                    numbering = _numbered_list_start(self.document, style, int(token.attrGet("start") or 1))
                self.lists.append(
                    {"style": style, "continue": _LIST_CONTINUE_STYLES[depth], "numbering": numbering}
                )
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.lists[-1]["item_started"] = False
            elif kind == "blockquote_open":
                self.quotes += 1
            elif kind == "blockquote_close":
                self.quotes -= 1
            elif kind == "heading_open":
                self.heading_style = _HEADING_STYLES.get(token.tag)
            elif kind == "heading_close":
                self.heading_style = None
            elif kind == "inline":
                self._paragraph(token.children or [])
            elif kind in ("fence", "code_block"):
                for line in token.content.rstrip("\n").split("\n"):
                    self._paragraph_of_text(line)

    def _style(self, paragraph):
        if self.heading_style:
            paragraph.style = self.heading_style
        elif self.lists:
            current = self.lists[-1]
            if current.get("item_started"):
                paragraph.style = current["continue"]
                return
            current["item_started"] = True
            paragraph.style = current["style"]
            if current["numbering"]:
                num_id, level = current["numbering"]
                numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                numbering.get_or_add_ilvl().val = level
                numbering.get_or_add_numId().val = num_id
        elif self.quotes:
            paragraph.style = "Quote"

    def _new_paragraph(self, text):
        direction = direction_of(text, self.direction)
        paragraph = self.document.add_paragraph()
        self._style(paragraph)
        if direction == "rtl":
            _paragraph_bidi(paragraph)
        return paragraph, direction

    def _paragraph_of_text(self, text):
        paragraph, direction = self._new_paragraph(text)
        _run(paragraph, text, direction=direction)

    def _paragraph(self, children):
        text = "".join(child.content for child in children if child.type in ("text", "code_inline"))
        paragraph, direction = self._new_paragraph(text)
        formats = dict.fromkeys(_FORMATS.values(), 0)
        run = None
        link = None
        for child in children:
            if child.type in ("text", "code_inline") and child.content:
                active = {name: count > 0 for name, count in formats.items()}
                run = _run(paragraph, child.content, direction=direction, **active)
                if link is not None:
                    link["text"] += child.content
            elif child.type in ("softbreak", "hardbreak"):
                (run or _run(paragraph, "", direction=direction)).add_break()
            elif child.type.endswith(("_open", "_close")) and child.tag in _FORMATS:
                formats[_FORMATS[child.tag]] += 1 if child.type.endswith("_open") else -1
            elif child.type == "link_open":
                link = {"href": child.attrGet("href") or "", "text": ""}
            elif child.type == "link_close" and link is not None:
                if link["href"] and link["href"] not in link["text"]:
                    run = _run(paragraph, f" ({link['href']})", direction=direction)
                link = None


def draft_docx(draft) -> bytes:
    """The draft as a Word document with right-to-left Arabic paragraphs. ValidationError if empty."""
    context = _context(draft)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT_FAMILY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:cs"), FONT_FAMILY)
    direction = context["direction"]
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)  # A4, as the PDF
    page.left_margin = page.right_margin = page.top_margin = Mm(20)
    if direction == "rtl":  # the pages of an Arabic note run right to left (gutter, columns, page order)
        page._sectPr.insert_element_before(
            OxmlElement("w:bidi"), "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"
        )
    _docx_paragraph(document, draft.title, direction=direction, style="Title")
    meta = f"{context['kind']} · {context['space_name']}"
    _docx_paragraph(document, meta, direction=direction_of(meta, direction))
    if context["submitted"]:
        _docx_paragraph(
            document, context["submitted"], direction=direction_of(context["submitted"], direction)
        )
    for section in context["sections"]:
        _docx_paragraph(document, section.title, direction=section.direction, style="Heading 1")
        _MarkdownToDocx(document, direction=section.direction).write(section.markdown)
    properties = document.core_properties
    properties.title = draft.title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = timezone.now()
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def final_note_for_archive(draft):
    """A submitted final note as (PDF bytes, title), for publishing it to the knowledge archive.

    ValidationError if the draft is not a submitted final note, or is empty."""
    if not (draft.is_final_note and draft.is_locked):
        raise ValidationError(_("Only a submitted final note can be archived."), code="not_submitted")
    return draft_pdf(draft), draft.title
