"""Participants' Markdown: rendered to safe HTML, to plain text, and read for @mentions; and
`clean_single_line` for one-line texts (names and titles).

Raw HTML in a body is shown as text, never as markup. The Markdown renderer only produces the
tags in ALLOWED_TAGS, and nh3 then removes anything else, so the output is safe even if the
renderer had a bug. Images are shown as links: an image would load something from another host
as soon as the page is read.
"""

import functools
import re
import unicodedata
from html.parser import HTMLParser

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_BODY_LENGTH = 20000

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "s",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h4",
        "h5",
        "h6",
        "a",
        "hr",
        "bdi",
    }
)
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
# Each block takes the direction of its own first letter: Arabic and English paragraphs side by side.
DIRECTIONAL_TAGS = ("p", "li", "ul", "ol", "blockquote", "h4", "h5", "h6", "pre")
# `#` is the largest heading a participant may write; it sits below the page's own headings.
HEADING_TAGS = {"h1": "h4", "h2": "h5"}
SMALLEST_HEADING = "h6"
# Bidirectional embeddings, overrides and isolates: U+202E can make "exe.txt" read "txt.exe".
# (The marks U+200E, U+200F and U+061C stay: they only set the direction of neutral characters.)
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_MENTION = re.compile(r"(?<![\w/])@([A-Za-z0-9._+-]{1,150})")
# Tags between which plain text needs a space: blocks and line breaks.
_WORD_SEPARATING_TAGS = ALLOWED_TAGS - {"strong", "em", "del", "s", "code", "a", "bdi"}
# A mention is isolated from the text around it, so "@layla" keeps its @ before the name in a
# right-to-left paragraph (bare, the neutral @ would show after it: "layla@").
MENTION_CLASS = "mention"


# Letters that show as nothing: Hangul fillers and the blank Braille pattern make a name look empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _single_line_character(character):
    category = unicodedata.category(character)
    if category in ("Cc", "Zl", "Zp"):  # line breaks, tabs and other controls: a space
        return " "
    # Format characters (Cf): bidirectional embeddings, overrides, isolates and marks (U+202A-U+202E,
    # U+2066-U+2069, U+200E, U+200F, U+061C), zero-width spaces and joiners (U+200B-U+200D, U+2060,
    # U+FEFF), the soft hyphen, invisible operators and tags. Cs: halves of a surrogate pair.
    if category in ("Cf", "Cs") or character in _BLANK_LETTERS:
        return ""
    return character


def clean_single_line(text: str) -> str:
    """`text` as one line that reads as it will be shown: no direction controls (U+202E can make a
    name or a title read backwards), no invisible characters (two names that look the same are the
    same), no control characters; runs of whitespace become one space, none at the ends. Used for
    display names, and titles of discussions, concerns, documents and drafts, by the services and
    forms that save them; file names go through `documents.filetypes.clean_name`, which removes the
    same characters."""
    return " ".join("".join(map(_single_line_character, str(text or ""))).split())


def _is_allowed_href(href):
    """Relative links and the allowed schemes. Stricter than markdown-it's own check, which only
    refuses a list of known-bad schemes."""
    scheme, colon, _ = href.partition(":")
    if not colon or any(character in scheme for character in "/?#"):
        return True
    return scheme.lower() in ALLOWED_URL_SCHEMES


def _link_open(href):
    token = Token("link_open", "a", 1)
    token.attrSet("href", href)
    return token


def _rewrite_inline(children):
    """Images become links to the image (or their text inside a link); links to anything but an
    allowed URL become their text."""
    rewritten, open_links = [], []
    for token in children:
        if token.type == "image":
            source = token.attrGet("src") or ""
            alt = token.children or [Token("text", "", 0, content=source)]
            if open_links or not _is_allowed_href(source):
                rewritten += alt
            else:
                rewritten += [_link_open(source), *alt, Token("link_close", "a", -1)]
        elif token.type == "link_open":
            kept = _is_allowed_href(token.attrGet("href") or "")
            open_links.append(kept)
            if kept:
                rewritten.append(token)
        elif token.type == "link_close":
            if open_links.pop():
                rewritten.append(token)
        else:
            rewritten.append(token)
    return rewritten


def _restrict(state):
    """Core rule: shift headings down to h4–h6 and apply `_rewrite_inline`."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_TAGS.get(token.tag, SMALLEST_HEADING)
        elif token.type == "inline" and token.children:
            token.children = _rewrite_inline(token.children)


def _split_mentions(text):
    """`text` as (kind, value) pieces, kind "text" or "mention" (the username, without its @)."""
    pieces, start = [], 0
    for match in _MENTION.finditer(text):
        username = match.group(1).rstrip(".")
        if not username:
            continue
        end = match.start(1) + len(username)
        if match.start() > start:
            pieces.append(("text", text[start : match.start()]))
        pieces.append(("mention", username))
        start = end
    if start < len(text):
        pieces.append(("text", text[start:]))
    return pieces


def _mark_mentions(state):
    """Core rule of the HTML renderer: @username in text outside links becomes a `mention` token
    (code spans are not text tokens, so they mention nobody, as in `mentions`)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, links = [], 0
        for token in block.children:
            if token.type == "link_open":
                links += 1
            elif token.type == "link_close":
                links -= 1
            if token.type != "text" or links or "@" not in token.content:
                children.append(token)
                continue
            for kind, value in _split_mentions(token.content):
                children.append(Token(kind, "", 0, content=value))
        block.children = children


def _render_mention(renderer, tokens, index, options, env):
    return f'<bdi class="{MENTION_CLASS}">@{escape(tokens[index].content)}</bdi>'


def _parser(*, with_mentions=False):
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    # Indented code is off: text indented by accident on a phone stays a paragraph.
    parser.disable(["code", "html_block", "html_inline"])
    parser.enable("strikethrough")
    # Every link is parsed so that `_rewrite_inline` can show a refused one as its text alone
    # (markdown-it would show "[x](javascript:…)" whole); `_is_allowed_href` then decides.
    parser.validateLink = lambda url: True
    parser.core.ruler.push("cssr_restrict", _restrict)
    if with_mentions:
        parser.core.ruler.push("cssr_mentions", _mark_mentions)
        parser.add_render_rule("mention", _render_mention)
    return parser


_markdown = _parser()
_markdown_with_mentions = _parser(with_mentions=True)
_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    # "*": nothing, or nh3 would keep its default `lang` and `title` on every tag.
    attributes={"a": {"href"}, "*": set()},
    allowed_classes={"bdi": {MENTION_CLASS}},
    set_tag_attribute_values={tag: {"dir": "auto"} for tag in DIRECTIONAL_TAGS},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def _prepare(body):
    return (body or "").translate(_BIDI_CONTROLS)


def render_markdown(body: str) -> SafeString:
    """`body` as sanitised HTML: only ALLOWED_TAGS, links with http(s)/mailto or relative URLs
    and rel="nofollow noopener noreferrer", each block with dir="auto", each @mention outside a
    link or code as `<bdi class="mention">@name</bdi>`.

    The HTML depends on the text alone, so the worker process remembers it for the texts it showed
    last (the posts of a busy discussion are rendered once, not on every page view); long texts are
    rendered each time, to keep that memory small."""
    body = body or ""
    if len(body) <= RENDER_CACHE_MAX_CHARACTERS:
        return _render_markdown_remembered(body)
    return _render_markdown(body)


RENDER_CACHE_MAX_CHARACTERS = 4000


def _render_markdown(body):
    html = _markdown_with_mentions.render(_prepare(body))
    return mark_safe(_cleaner.clean(html))  # noqa: S308 - nh3 has just sanitised it


_render_markdown_remembered = functools.lru_cache(maxsize=2048)(_render_markdown)


def render_plain(body: str) -> SafeString:
    """A plain-text `body` (a chat message) as safe HTML: escaped, line breaks as <br>, and each
    @mention as `<bdi class="mention">@name</bdi>` (the same mark-up as `render_markdown`)."""
    parts = []
    for kind, value in _split_mentions(_prepare(body).replace("\r\n", "\n").replace("\r", "\n")):
        if kind == "mention":
            parts.append(f'<bdi class="{MENTION_CLASS}">@{escape(value)}</bdi>')
        else:
            parts.append(escape(value).replace("\n", "<br>"))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped


def markdown_tokens(body: str) -> list[Token]:
    """`body` parsed by the rules of `render_markdown` (headings shifted down, refused links and images
    as their text), as markdown-it's block tokens with their inline children: for exports to formats
    other than HTML. Raw HTML in the tokens is text, as on the page."""
    return _markdown.parse(_prepare(body))


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _WORD_SEPARATING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _WORD_SEPARATING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(body: str) -> str:
    """The text a reader sees in `body`, without markup, on one line (for search, notifications and
    e-mail)."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(body))
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def mentions(body: str) -> list[str]:
    """The usernames mentioned as @username in `body`, lower-cased, in order, each once. Code,
    e-mail addresses and URLs mention nobody."""
    texts = []
    for block in _markdown.parse(_prepare(body)):
        if block.type == "inline":
            texts += [token.content for token in block.children or [] if token.type == "text"]
    usernames = (match.group(1).rstrip(".").lower() for match in _MENTION.finditer(" ".join(texts)))
    return list(dict.fromkeys(username for username in usernames if username))
