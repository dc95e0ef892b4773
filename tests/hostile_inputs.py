"""What a hostile visitor puts in a URL's path, its query string and a form body. The crawler
(tests/test_hostile_crawler.py) sends each of them to every URL of the platform."""

PAST_64_BITS = "99999999999999999999"

# In place of an id in the path (also in place of a token, a UUID or a file format).
HOSTILE_PATH_SEGMENTS = [
    "²",  # a superscript digit: str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic digit: int() reads it as 3
    PAST_64_BITS,
    "9223372036854775808",  # 2**63, one past the largest signed 64-bit integer
    "-1",
    "0",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
]

# Numbers that are not a usable id.
HOSTILE_NUMBERS = [
    "²",
    "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠",  # twenty Arabic-Indic digits: int() reads a number past 64 bits
    PAST_64_BITS,
    "-1",
    "1e400",
]

# Each alone in each field of a valid form: "²" passes str.isdigit() and fails int(); int() reads the
# Arabic-Indic digits as a number past 64 bits.
HOSTILE_FIELD_NUMBERS = HOSTILE_NUMBERS[:2]

# Every query parameter and form field gets each of these in turn.
HOSTILE_VALUES = [
    *HOSTILE_NUMBERS,
    "a\x00b",  # PostgreSQL refuses NUL in text
    "x" * 25_000,  # longer than any field allows, short enough that thirty of them reach the form
    "/\r\nSet-Cookie: x=1/../../../etc/passwd' OR '1'='1' -- <script>alert(1)</script>",  # a path, for `next`
    "\u202e2026-02-30T25:61",  # a right-to-left override and an impossible date and time
    "[]",
]

# Query parameters the platform's views read (besides what each form declares): every request gets them.
QUERY_PARAMETERS = [
    "page",
    "q",
    "reply",
    "quote",
    "post",
    "space",
    "sort",
    "status",
    "tag",
    "region",
    "since",
    "folder",
    "theme",
    "after",
    "from",
    "to",
    "by",
    "text",
    "view",
    "month",
    "next",
    "confirmed",
    "action",
    "number",
]
