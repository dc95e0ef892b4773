"""Participants' text: safe Markdown (cssr.text) and the Arabic-aware search normaliser (cssr.arabic)."""

import html
import re
import sys
import unicodedata
from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from cssr import arabic, search, text

from .hostile_corpus import HOSTILE_MARKDOWN

fast = settings(max_examples=200, deadline=None)

# --- Checking rendered HTML ------------------------------------------------------------------------------

FORBIDDEN = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"<script",
        r"<img",
        r"<svg",
        r"<iframe",
        r"<style",
        r"<form",
        r"<input",
        r"<object",
        r"<embed",
        r"<math",
        # Inside a tag: escaped text is no danger, and every "<" of the user's text is escaped.
        r"<[^>]*\son\w+\s*=",
        r"<[^>]*\sstyle\s*=",
        # The one class there is: a mention (`<bdi class="mention">`).
        r'<(?!bdi class="mention">)[^>]*\sclass\s*=',
        r"<[^>]*\starget\s*=",
        r"""<[^>]*\shref\s*=\s*["']?[\x00-\x20]*(?:javascript|data|vbscript)\s*:""",
    )
]
# Written out here rather than read from cssr.text, so that widening the code's lists fails a test.
ALLOWED_TAGS = {
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
DIRECTIONAL = {"p", "li", "ul", "ol", "blockquote", "h4", "h5", "h6", "pre"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
# What a browser drops before reading a URL's scheme.
URL_IGNORED = re.compile(r"^[\x00-\x20]+|[\t\n\r]")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.other_markup = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.other_markup.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other_markup.append(decl)

    def unknown_decl(self, data):
        self.other_markup.append(data)

    def handle_pi(self, data):
        self.other_markup.append(data)


def assert_safe(rendered):
    for pattern in FORBIDDEN:
        assert not pattern.search(rendered), f"{pattern.pattern!r} in {rendered[:500]!r}"
    parser = _Elements()
    parser.feed(rendered)
    parser.close()
    assert parser.other_markup == []
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, tag
        names = [name for name, _ in attrs]
        if tag == "a":
            assert set(names) <= {"href", "rel"} and ("rel", LINK_REL) in attrs, attrs
        elif tag in DIRECTIONAL:
            assert attrs == [("dir", "auto")], (tag, attrs)
        elif tag == "bdi":
            assert attrs == [("class", "mention")], attrs
        else:
            assert attrs == [], (tag, attrs)
        for name, value in attrs:
            if name == "href":
                scheme = SCHEME.match(URL_IGNORED.sub("", value))
                assert scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES, value


@pytest.mark.parametrize(
    "unsafe",
    [
        '<img src="x">',
        '<p dir="auto" class="x">x</p>',
        '<bdi class="mention x">@x</bdi>',
        '<bdi class="mention" dir="rtl">@x</bdi>',
        "<p>x</p>",
        '<p dir="rtl">x</p>',
        "<!-- x -->",
        '<a href="javascript:alert(1)" rel="nofollow noopener noreferrer">x</a>',
        '<a href=" &#x09;JaVa&#x0A;script:alert(1)" rel="nofollow noopener noreferrer">x</a>',
        '<a href="https://ok.example">no rel</a>',
        '<a href="https://ok.example" rel="nofollow noopener noreferrer" target="_blank">x</a>',
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)


def test_the_allow_lists_are_exactly_the_agreed_ones():
    assert text.ALLOWED_TAGS == ALLOWED_TAGS
    assert set(text.DIRECTIONAL_TAGS) == DIRECTIONAL
    assert text.ALLOWED_URL_SCHEMES == ALLOWED_SCHEMES
    assert text.LINK_REL == LINK_REL
    assert text.MAX_BODY_LENGTH == 20000


# --- Hostile Markdown ------------------------------------------------------------------------------------


def test_the_hostile_corpus_is_big_enough():
    assert len(HOSTILE_MARKDOWN) >= 40
    assert max(len(body) for body in HOSTILE_MARKDOWN) <= text.MAX_BODY_LENGTH


@pytest.mark.parametrize(
    "body", HOSTILE_MARKDOWN, ids=[f"payload-{index}" for index in range(len(HOSTILE_MARKDOWN))]
)
def test_hostile_markdown_renders_only_allowed_markup(body):
    rendered = text.render_markdown(body)
    assert isinstance(rendered, SafeString)
    assert_safe(rendered)
    plain = text.plain_text(body)
    assert "\n" not in plain and "  " not in plain
    assert isinstance(text.mentions(body), list)


@pytest.mark.parametrize(
    "body",
    [
        "[x](javascript:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x][evil]\n\n[evil]: javascript:alert(1)",
        "![x](javascript:alert(1))",
    ],
)
def test_a_link_to_a_refused_scheme_shows_its_text_alone(body):
    assert text.render_markdown(body) == '<p dir="auto">x</p>\n'


def test_no_image_is_ever_rendered_an_image_becomes_a_link():
    rendered = text.render_markdown(
        "![map](https://maps.example/homs.png) ![](https://evil.example/pixel.gif)"
    )
    assert "<img" not in rendered
    assert '<a href="https://maps.example/homs.png" rel="nofollow noopener noreferrer">map</a>' in rendered
    assert (
        '<a href="https://evil.example/pixel.gif" rel="nofollow noopener noreferrer">https://evil.example/pixel.gif</a>'
        in rendered
    )
    # Inside a link an image is its text, not a link in a link.
    assert text.render_markdown("[![x](https://evil.example/p.png)](https://ok.example)") == (
        '<p dir="auto"><a href="https://ok.example" rel="nofollow noopener noreferrer">x</a></p>\n'
    )


def _stack_depth():
    frame, depth = sys._getframe(), 0
    while frame:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_nesting_is_capped_so_deep_input_needs_little_stack():
    """markdown-it's maxNesting (20) bounds the recursion: 500 levels render within 150 frames
    (without the cap they would not)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 150)
    try:
        quotes = text.render_markdown("> " * 500 + "deep")
        lists = text.render_markdown("- " * 500 + "deep")
        assert text.mentions("> " * 500 + "@deep") == []  # beyond the cap, nothing is read
        text.plain_text("1. " * 500 + "deep")
    finally:
        sys.setrecursionlimit(limit)
    assert 0 < quotes.count("<blockquote") <= 20
    assert 0 < lists.count("<ul") <= 20


def test_bidirectional_overrides_are_removed_but_direction_marks_stay():
    rendered = text.render_markdown("a\u202etxt.exe \u2067x\u2069 \u200fمرحبا\u200e")
    assert "\u202e" not in rendered and "\u2067" not in rendered and "\u2069" not in rendered
    assert "\u200f" in rendered and "\u200e" in rendered


HOSTILE_FRAGMENTS = [
    "<",
    ">",
    "/",
    "[",
    "]",
    "(",
    ")",
    "!",
    "*",
    "_",
    "~",
    "`",
    "```",
    "#",
    "> ",
    "- ",
    "1. ",
    "\n",
    "\n\n",
    " ",
    "    ",
    '"',
    "'",
    "=",
    "&",
    "&#x09;",
    "&colon;",
    "&#106;",
    ":",
    "javascript:",
    "JAVASCRIPT:",
    "data:",
    "vbscript:",
    "http://",
    "https://ok.example",
    "mailto:",
    "script",
    "img",
    "svg",
    "style",
    "iframe",
    "on",
    "onerror=",
    "class=",
    "href=",
    "src=",
    "alert(1)",
    "\x00",
    "\u202e",
    "\t",
    "a",
    "ب",
    "مرحبا",
    "@",
]


@fast
@given(st.lists(st.sampled_from(HOSTILE_FRAGMENTS), max_size=40).map("".join))
def test_any_mix_of_hostile_fragments_renders_only_allowed_markup(body):
    assert_safe(text.render_markdown(body))


@fast
@given(st.text(max_size=300))
def test_any_text_renders_only_allowed_markup(body):
    assert_safe(text.render_markdown(body))


# --- Normal content --------------------------------------------------------------------------------------


def test_arabic_and_english_paragraphs_each_take_their_own_direction():
    rendered = text.render_markdown("نناقش اليوم خطة العمل.\n\nToday we discuss the work plan.")
    assert (
        rendered
        == '<p dir="auto">نناقش اليوم خطة العمل.</p>\n<p dir="auto">Today we discuss the work plan.</p>\n'
    )


def test_emphasis_breaks_lists_quotes_code_and_rules():
    rendered = text.render_markdown(
        "**مهم** and *note* ~~old~~\nsecond line\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "> quoted reply\n\n`inline` code\n\n```python\nprint('<b>')\n```\n\n---"
    )
    assert "<strong>مهم</strong> and <em>note</em> <s>old</s><br>\nsecond line" in rendered
    assert '<ul dir="auto">\n<li dir="auto">one</li>\n<li dir="auto">two</li>\n</ul>' in rendered
    assert '<ol dir="auto">\n<li dir="auto">first</li>' in rendered
    assert '<blockquote dir="auto">\n<p dir="auto">quoted reply</p>\n</blockquote>' in rendered
    assert "<code>inline</code> code" in rendered
    assert "<pre dir=\"auto\"><code>print('&lt;b&gt;')\n</code></pre>" in rendered
    assert "<hr>" in rendered
    assert_safe(rendered)


def test_headings_are_shifted_down_to_h4_h5_h6():
    rendered = text.render_markdown("# one\n## two\n### three\n###### six")
    assert rendered == (
        '<h4 dir="auto">one</h4>\n<h5 dir="auto">two</h5>\n'
        '<h6 dir="auto">three</h6>\n<h6 dir="auto">six</h6>\n'
    )


def test_links_are_kept_with_rel_nofollow_and_nothing_else():
    rendered = text.render_markdown(
        '[التقرير](https://example.org/report?a=1&b=2 "title") <https://example.org> '
        "[mail](mailto:a@example.org) [thread](/spaces/1/threads/2/)"
    )
    rel = 'rel="nofollow noopener noreferrer"'
    assert f'<a href="https://example.org/report?a=1&amp;b=2" {rel}>التقرير</a>' in rendered
    assert f'<a href="https://example.org" {rel}>https://example.org</a>' in rendered
    assert f'<a href="mailto:a@example.org" {rel}>mail</a>' in rendered
    assert f'<a href="/spaces/1/threads/2/" {rel}>thread</a>' in rendered
    assert "title=" not in rendered


def test_raw_html_and_indented_text_are_shown_as_text():
    assert text.render_markdown("<b>عنوان</b>") == '<p dir="auto">&lt;b&gt;عنوان&lt;/b&gt;</p>\n'
    assert text.render_markdown("    indented by accident") == '<p dir="auto">indented by accident</p>\n'
    assert text.render_markdown("") == ""


def test_plain_text_is_the_readers_text_on_one_line():
    body = "# عنوان\n\n**bold** & [link](https://example.org)\n\n- a\n- b\n\n<script>x</script>"
    assert text.plain_text(body) == "عنوان bold & link a b <script>x</script>"
    assert text.plain_text("one\ntwo") == "one two"
    assert text.plain_text("") == ""


# --- Mentions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("@layla and @Omar_K.", ["layla", "omar_k"]),
        ("mail me at a@b.org", []),
        ("`@code`", []),
        ("```\n@fenced\n```\n@after", ["after"]),
        ("see https://example.org/@someone and /@path", []),
        ("@Layla @layla @LAYLA, @sami.h-2+x", ["layla", "sami.h-2+x"]),
        ("مرحبا @layla، شكراً", ["layla"]),
        ("> @quoted\n\n- @listed\n\n**@bold**", ["quoted", "listed", "bold"]),
        ("[@linked](https://example.org)", ["linked"]),
        ("@ alone and @. and @", []),
    ],
)
def test_mentions(body, expected):
    assert text.mentions(body) == expected


# --- The normaliser --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("الإنتخابات", "الانتخابات"),
        ("أحمد", "احمد"),
        ("آمنة", "امنه"),
        ("ٱلرحمن", "الرحمن"),
        ("مسؤولية", "مسئولية"),
        ("مدرسة", "مدرسه"),
        ("على", "علي"),
        ("العَرَبِيَّة", "العربية"),
        ("قُرْآنٌ", "قران"),
        ("عـــربي", "عربي"),
        ("٢٠٢٦", "2026"),
        ("۲۰۲۶", "2026"),
        ("ﻻ", "لا"),
        ("ﺍﻟﻌﺮﺑﻴﺔ", "العربية"),
        ("Syria SYRIA", "syria syria"),
        ("ﬁle", "file"),
        ("عر\u200bبي\u200f", "عربي"),
        ("  كلمة \n\t أخرى  ", "كلمة اخرى"),
    ],
)
def test_spelling_variants_normalise_equal(variant, plain):
    assert arabic.normalize(variant) == arabic.normalize(plain)


def test_normalised_forms():
    assert arabic.normalize("الإنتخابات") == "الانتخابات"
    assert arabic.normalize("مسؤولية") == arabic.normalize("مسئولية") == "مسءوليه"
    assert arabic.normalize("ﻻ") == "لا"
    assert arabic.normalize("٢٠٢٦") == "2026"
    assert arabic.normalize("") == ""


def test_terms_are_distinct_normalised_words_limited_in_number_and_length():
    assert search.terms("الإنتخابات، البلدية! Hello hello HELLO") == ["الانتخابات", "البلديه", "hello"]
    assert search.terms("  ...  ") == []
    assert search.terms(" ".join(f"w{number}" for number in range(30))) == [
        f"w{number}" for number in range(20)
    ]
    assert search.terms("س" * 10_000) == ["س" * 64]


def test_normalize_is_idempotent_on_every_single_code_point():
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)) == "Cs":
            continue
        once = arabic.normalize(chr(code_point))
        assert arabic.normalize(once) == once, hex(code_point)


ARABIC_BLOCK = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
PRESENTATION_FORMS = st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF)
COMBINING_MARKS = st.characters(categories=["Mn", "Mc", "Me"])
INVISIBLE_AND_SPACES = st.sampled_from(
    "\u200b\u200c\u200d\u200e\u200f\u061c\ufeff\u0640\u202e\u00a0\u3000 \t\n"
)
ARABIC_BIASED_TEXT = st.text(
    alphabet=st.one_of(
        ARABIC_BLOCK, PRESENTATION_FORMS, COMBINING_MARKS, INVISIBLE_AND_SPACES, st.characters()
    ),
    max_size=60,
)
ANY_TEXT = st.one_of(st.text(), ARABIC_BIASED_TEXT)

LETTER = st.one_of(
    st.characters(min_codepoint=0x0620, max_codepoint=0x06FF, categories=["Lo"]),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF, categories=["Lo"]),
    st.characters(min_codepoint=0x0041, max_codepoint=0x024F, categories=["Lu", "Ll"]),
).filter(lambda letter: search.terms(letter))  # not the few "letters" that are only marks, like U+FC5E
MARKS_ON_A_LETTER = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x064B, max_codepoint=0x065F),
        st.just("\u0670"),
        st.characters(min_codepoint=0x0300, max_codepoint=0x036F),
        st.just("\u0640"),
    ),
    max_size=2,
)
WORD = st.lists(st.tuples(LETTER, MARKS_ON_A_LETTER).map("".join), min_size=1, max_size=12).map("".join)


@fast
@given(ANY_TEXT)
def test_normalize_is_idempotent(value):
    once = arabic.normalize(value)
    assert arabic.normalize(once) == once


@fast
@given(WORD, ANY_TEXT, ANY_TEXT)
def test_any_normalised_word_finds_itself(word, before, after):
    found = search.terms(word)
    assert found
    assert all(term in arabic.normalize(word) for term in found)
    # What search does: every term of the query is in the normalised indexed text.
    indexed = arabic.normalize(f"{before} {word} {after}")
    assert all(term in indexed for term in found)


# --- Highlighting ----------------------------------------------------------------------------------------

MARK_TAGS = re.compile(r"</?mark>")


def shown_text(excerpt):
    return html.unescape(MARK_TAGS.sub("", excerpt))


def is_excerpt_of(shown, original):
    return any(
        candidate in original
        for candidate in (
            shown,
            shown.removeprefix("…"),
            shown.removesuffix("…"),
            shown.removeprefix("…").removesuffix("…"),
        )
    )


def test_highlight_matches_the_normalised_form_and_shows_the_original():
    assert search.highlight("الانتخابات البلدية", "الإنتخابات") == "<mark>الانتخابات</mark> البلدية"
    assert search.highlight("العَدَالة الانتقالية", "العدالة") == "<mark>العَدَالة</mark> الانتقالية"
    assert search.highlight("مسؤولية الدولة", "مسئولية") == "<mark>مسؤولية</mark> الدولة"
    assert search.highlight("عـــربي", "عربي") == "<mark>عـــربي</mark>"
    assert search.highlight("ﻻ بأس", "لا") == "<mark>ﻻ</mark> بأس"
    assert search.highlight("سنة ٢٠٢٦", "2026") == "سنة <mark>٢٠٢٦</mark>"
    assert (
        search.highlight("Mark mark MARK", "mark") == "<mark>Mark</mark> <mark>mark</mark> <mark>MARK</mark>"
    )
    assert search.highlight("café", "CAFE\u0301") == "<mark>café</mark>"


def test_highlight_escapes_everything():
    excerpt = search.highlight("<b onmouseover=\"x\">حمص</b> & 'y'", "<script>حمص</script>")
    assert isinstance(excerpt, SafeString)
    assert excerpt == "&lt;b onmouseover=&quot;x&quot;&gt;<mark>حمص</mark>&lt;/b&gt; &amp; &#x27;y&#x27;"
    assert search.highlight("a <script> b", "<script>") == "a &lt;<mark>script</mark>&gt; b"


def test_highlight_cuts_long_text_around_the_first_match():
    original = "كلمة " * 200 + "الهدف " + "كلمة " * 200 + "الهدف"
    excerpt = search.highlight(original, "هدف")
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert excerpt.count("<mark>") == 1 and "ال<mark>هدف</mark>" in excerpt
    assert len(shown_text(excerpt)) <= 240 + 2
    assert is_excerpt_of(shown_text(excerpt), original)
    # Cut between words: the excerpt starts and ends with whole words.
    assert shown_text(excerpt).startswith("…كلمة ") and shown_text(excerpt).endswith("كلمة…")


def test_highlight_without_a_match_shows_the_beginning():
    assert search.highlight("x" * 500, "y") == "x" * 240 + "…"
    assert search.highlight("short text", "") == "short text"
    assert search.highlight("", "query") == ""


@fast
@given(ANY_TEXT, ANY_TEXT, st.integers(min_value=1, max_value=300))
def test_highlight_never_raises_and_shows_escaped_original_text(original, query, max_length):
    excerpt = search.highlight(original, query, max_length=max_length)
    assert isinstance(excerpt, SafeString)
    markup_free = MARK_TAGS.sub("", excerpt)
    assert "<" not in markup_free and ">" not in markup_free and '"' not in markup_free
    shown = html.unescape(markup_free)
    assert is_excerpt_of(shown, original)
    assert len(shown) <= max_length + 2


@fast
@given(st.lists(WORD, min_size=1, max_size=120), st.data())
def test_highlight_marks_any_word_of_the_text(words, data):
    separator = data.draw(st.sampled_from([" ", "، ", ". ", "\n", " — "]))
    original = separator.join(words)
    query = data.draw(st.sampled_from(words))
    excerpt = search.highlight(original, query)
    assert "<mark>" in excerpt
    assert is_excerpt_of(shown_text(excerpt), original)


def test_a_text_shown_again_is_not_rendered_again_and_long_texts_are_not_remembered():
    """The rendered HTML of a post is remembered by its text (the page of a busy discussion renders
    each post once per worker); a remembered render is the same safe HTML, and a long text is
    rendered each time so that the memory stays small."""
    body = "**رأي** للنقاش مع @layla [رابط](javascript:alert(1))"
    first = text.render_markdown(body)
    before = text._render_markdown_remembered.cache_info()
    again = text.render_markdown(body)
    after = text._render_markdown_remembered.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses
    assert again == first == text._render_markdown(body)
    assert isinstance(again, SafeString) and "javascript" not in again and "<strong" in again
    long_body = "فقرة طويلة " * (text.RENDER_CACHE_MAX_CHARACTERS // 10)
    text.render_markdown(long_body)
    text.render_markdown(long_body)
    assert text._render_markdown_remembered.cache_info().misses == after.misses
