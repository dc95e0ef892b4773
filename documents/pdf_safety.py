"""What a PDF would do by itself: read from its objects, the way a PDF reader reads them.

`finding(data, max_inflated_bytes=…)` returns None when the PDF holds nothing active, or a `Finding`:

- `ACTIVE`: JavaScript (/JS, /JavaScript), launching a program (/Launch), attached or embedded files
  (/EmbeddedFile, /EmbeddedFiles), rich media (/RichMedia), XFA forms (/XFA), forms that send or
  import data (/SubmitForm, /ImportData), wherever they appear;
- `AUTOMATIC`: an action that runs without a click, from /OpenAction (on opening the file) or /AA
  (on opening or closing a page, pointing at a link, focusing a field, …), that does anything but
  move inside the document (/GoTo): opening a web address (/URI), another file (/GoToR, /GoToE),
  media, a menu command (/Named). Chained actions (/Next) are followed.

A link the reader clicks (an /Annots /Link annotation, or a bookmark, whose /A action is /URI) is
accepted: nothing happens until the person clicks it, and readers ask before leaving the document.

How the file is read, so that nothing hides from the check:
- every object is parsed; names are decoded from their #xx escapes (/J#61vaScript is /JavaScript)
  before they are compared; strings and comments are text, not names;
- object streams (/ObjStm, where PDF 1.5 and later compress dictionaries: FlateDecode, ASCIIHex,
  ASCII85) are decoded and each object is read at the offset the stream's header gives, as a reader
  does, within `max_inflated_bytes` for all of them together (a decompression bomb is refused, not
  inflated); the whole check has a budget of work (a file built to make it slow is refused);
- a reader finds an object wherever "N G obj" is written; such a mark inside a string, a comment
  or the data of a stream is an object this check did not read, and the file is refused;
- the data of other streams (what a page draws, fonts, images) is not read: an action or a name
  there does nothing.

A file that cannot be read this way raises `Unreadable` (`Encrypted` when the file is encrypted and
its object streams cannot be decoded); too much compressed data raises `TooLarge`.
"""

import base64
import binascii
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

ACTIVE = "active"
AUTOMATIC = "automatic"
ACTIVE_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
    }
)
AUTOMATIC_TRIGGERS = ("OpenAction", "AA")
# What an action that runs by itself may do: move to a place in the same document.
AUTOMATIC_ACTIONS_ALLOWED = frozenset({"GoTo"})
MAX_NESTING = 100
# The work the check may do (tokens read, references followed): a few seconds at most. Real files
# take a few thousand steps per 100 KB.
MAX_STEPS = 2_000_000

_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
# One token, after any whitespace and comments (an empty match at the end of the data).
_TOKEN = re.compile(
    rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*"
    rb"(?:(?P<name>/" + _REGULAR + rb"*)|(?P<word>" + _REGULAR + rb"+)|(?P<dict_open><<)|(?P<dict_close>>>)"
    rb"|(?P<array_open>\[)|(?P<array_close>\])|(?P<hex><[^<>]*>)|(?P<string>\()|(?P<stray>.))?",
    re.DOTALL,
)
_STRING_PART = re.compile(rb"\\.|[()]", re.DOTALL)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_INTEGER = re.compile(rb"[+-]?[0-9]+")
# Where a reader that rebuilds a damaged cross-reference table finds an object (some also take
# U+00A0 and a vertical tab for a space there).
_OBJECT_MARK = re.compile(
    rb"(?<![0-9])[0-9]+[\x00\t\n\x0b\x0c\r \xa0]+[0-9]+[\x00\t\n\x0b\x0c\r \xa0]+obj(?!" + _REGULAR + rb")"
)


class Unreadable(ValueError):
    """The file is not a PDF this check can read through."""


class Encrypted(Unreadable):
    """The file is encrypted, so its compressed objects cannot be read."""


class TooLarge(ValueError):
    """The file's object streams inflate to more than the budget."""


@dataclass(frozen=True)
class Finding:
    rule: str  # ACTIVE or AUTOMATIC
    name: str  # the name that decided: "JavaScript", "URI", …


class Name(str):
    """A PDF name, decoded: /J#61vaScript is Name("JavaScript")."""


class Reference(NamedTuple):
    number: int
    generation: int


class Dictionary:
    """A PDF dictionary as its (key, value) pairs in order: a key written twice is kept twice, so that
    both values are checked (readers disagree on which one wins)."""

    __slots__ = ("pairs", "stream")

    def __init__(self, pairs):
        self.pairs = pairs
        self.stream = None

    def values_of(self, key):
        return [value for name, value in self.pairs if name == key]


def _decode_name(raw):
    if b"#" in raw:
        raw = _NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), raw)
    return Name(raw[1:].decode("latin-1"))


def _dictionary(items):
    """Pairs as a reader takes them: a key is a name followed by a value; anything else is skipped."""
    pairs, index = [], 0
    while index < len(items):
        if isinstance(items[index], Name) and index + 1 < len(items):
            pairs.append((items[index], items[index + 1]))
            index += 2
        else:
            index += 1
    return Dictionary(pairs)


class _Reader:
    def __init__(self, max_inflated_bytes):
        self.objects = defaultdict(list)  # object number -> every definition found
        self.values = []  # every object's value (top level, trailers, members of object streams)
        self.names = set()
        self.object_starts = set()
        self.streams = []  # dictionaries of the file's streams
        self.steps = 0
        self.inflate_budget = max_inflated_bytes
        self.encrypted = False

    # --- Parsing -------------------------------------------------------------------------------

    def parse(self, data, position=0, *, in_file=True):
        """Parse `data` from `position`. In the file: objects, trailers and streams, to the end.
        Inside an object stream (`in_file=False`): one value, returned."""
        stack = []  # open containers: (kind, items)
        top, starts = [], []  # top-level values since the last "obj" or "endobj", and where they start
        current = None  # the number of the object being read
        length, match_token, add_name = len(data), _TOKEN.match, self.names.add
        while position < length:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise Unreadable("too much work")
            match = match_token(data, position)
            position, kind = match.end(), match.lastgroup
            if kind is None:  # only whitespace and comments were left
                break
            if kind == "name":
                value = _decode_name(match.group(kind))
                add_name(value)
            elif kind == "word":
                word = match.group(kind)
                if _INTEGER.fullmatch(word):
                    value = int(word)
                elif word == b"R":
                    items = stack[-1][1] if stack else top
                    if len(items) >= 2 and type(items[-1]) is int and type(items[-2]) is int:
                        items[-2:] = [Reference(items[-2], items[-1])]
                        if not stack:
                            del starts[-1]
                        continue
                    value = None
                elif stack or not in_file:
                    if word in (b"obj", b"endobj", b"stream", b"endstream"):
                        raise Unreadable("keyword out of place")
                    value = None
                elif word == b"obj":
                    if len(top) < 2 or type(top[-1]) is not int or type(top[-2]) is not int:
                        raise Unreadable("obj without a number")
                    number = top[-2]
                    self.object_starts.add(starts[-2])
                    del top[-2:], starts[-2:]
                    self._keep(current, top)
                    current, top, starts = number, [], []
                    continue
                elif word == b"endobj":
                    self._keep(current, top)
                    current, top, starts = None, [], []
                    continue
                elif word == b"stream":
                    if not top or not isinstance(top[-1], Dictionary):
                        raise Unreadable("stream without a dictionary")
                    position = self._stream(data, position, top[-1])
                    continue
                else:
                    value = None
            elif kind == "string":
                position = _string_end(data, position)
                value = None
            elif kind == "hex":
                value = None
            elif kind in ("dict_open", "array_open"):
                stack.append((kind, []))
                if len(stack) > MAX_NESTING:
                    raise Unreadable("nested too deeply")
                continue
            elif kind in ("dict_close", "array_close"):
                if not stack or stack[-1][0] != kind.replace("close", "open"):
                    raise Unreadable("unbalanced")
                opened, items = stack.pop()
                value = _dictionary(items) if opened == "dict_open" else items
                if isinstance(value, Dictionary) and value.values_of("Encrypt"):
                    self.encrypted = True
            else:  # a stray ")", "{", "}" or ">": readers skip it
                continue
            if stack:
                stack[-1][1].append(value)
            elif not in_file:
                return value
            else:
                top.append(value)
                starts.append(match.start(kind))
                if isinstance(value, Dictionary | list):
                    self.values.append(value)
        if stack or not in_file:
            raise Unreadable("ends inside an object")
        self._keep(current, top)
        return None

    def _keep(self, number, values):
        if number is not None:
            self.objects[number] += [value for value in values if value is not None]

    def _stream(self, data, position, dictionary):
        """Skip the stream's data (to the first "endstream": a /Length cannot make the check skip
        more than a reader may read) and keep it with its dictionary."""
        if data.startswith(b"\r\n", position):
            position += 2
        elif data.startswith((b"\n", b"\r"), position):
            position += 1
        end = data.find(b"endstream", position)
        if end == -1:
            raise Unreadable("stream without its end")
        dictionary.stream = data[position:end]
        self.streams.append(dictionary)
        return end + len(b"endstream")

    # --- Object streams ------------------------------------------------------------------------

    def read_object_streams(self):
        for dictionary in self.streams:
            if not (
                dictionary.values_of("N")
                or dictionary.values_of("First")
                or "ObjStm" in self.names_in(dictionary.values_of("Type"))
            ):
                continue
            count, first = self._integer(dictionary, "N"), self._integer(dictionary, "First")
            content = self._decoded(dictionary)
            if count < 0 or not 0 <= first <= len(content) or count > len(content):
                raise Unreadable("object stream header")
            header = content[:first].split()
            if len(header) < 2 * count or not all(_INTEGER.fullmatch(word) for word in header[: 2 * count]):
                raise Unreadable("object stream header")
            for index in range(count):
                number, offset = int(header[2 * index]), int(header[2 * index + 1])
                if not 0 <= first + offset < len(content):
                    raise Unreadable("object stream offset")
                value = self.parse(content, first + offset, in_file=False)
                self.values.append(value)
                self.objects[number].append(value)

    def _integer(self, dictionary, key):
        found = {value for candidate in dictionary.values_of(key) for value in self.resolve(candidate)}
        if len(found) != 1 or type(next(iter(found))) is not int:
            raise Unreadable(f"object stream /{key}")
        return next(iter(found))

    def _decoded(self, dictionary):
        filters = []
        for value in dictionary.values_of("Filter"):
            for candidate in self.resolve(value):
                items = candidate if isinstance(candidate, list) else [candidate]
                filters += [name for item in items for name in self.resolve(item)]
        for value in dictionary.values_of("DecodeParms"):
            for candidate in self.resolve(value):
                parameters = candidate if isinstance(candidate, list) else [candidate]
                for item in parameters:
                    for parameter in self.resolve(item):
                        if isinstance(parameter, Dictionary) and any(
                            predictor != 1 for predictor in parameter.values_of("Predictor")
                        ):
                            raise Unreadable("predictor in an object stream")
        content = dictionary.stream
        for name in filters:
            if name in ("FlateDecode", "Fl"):
                content = self._inflate(content)
            elif name in ("ASCIIHexDecode", "AHx"):
                content = self._spend(_ascii_hex(content))
            elif name in ("ASCII85Decode", "A85"):
                content = self._spend(_ascii85(content))
            else:
                raise Unreadable("filter")
        return content

    def _spend(self, content):
        self.inflate_budget -= len(content)
        if self.inflate_budget < 0:
            raise TooLarge()
        return content

    def _inflate(self, content):
        inflater = zlib.decompressobj()
        try:
            output = inflater.decompress(content, self.inflate_budget + 1)
        except zlib.error:
            raise (Encrypted if self.encrypted else Unreadable)("inflate") from None
        self._spend(output)
        if not inflater.eof:
            raise (Encrypted if self.encrypted else Unreadable)("truncated")
        return output

    # --- Questions -----------------------------------------------------------------------------

    def resolve(self, value):
        """The values `value` stands for: itself, or every definition of the object it refers to
        (following references to references; a loop ends)."""
        if not isinstance(value, Reference):
            return [value]
        found, pending, seen = [], [value], set()
        while pending:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise Unreadable("too much work")
            item = pending.pop()
            if not isinstance(item, Reference):
                found.append(item)
            elif item.number not in seen:
                seen.add(item.number)
                pending += self.objects.get(item.number, [])
        return found

    def names_in(self, values):
        return {found for value in values for found in self.resolve(value) if isinstance(found, Name)}

    def dictionaries(self):
        """Every dictionary of the file, nested ones included."""
        pending = list(self.values)
        while pending:
            value = pending.pop()
            if isinstance(value, Dictionary):
                yield value
                pending += [item for _, item in value.pairs]
            elif isinstance(value, list):
                pending += value

    def automatic_actions(self):
        """The action dictionaries that run without a click, with the chains they start."""
        pending = []
        for dictionary in self.dictionaries():
            for trigger in AUTOMATIC_TRIGGERS:
                for value in dictionary.values_of(trigger):
                    for target in self.resolve(value):
                        if trigger == "OpenAction":
                            pending.append(target)  # an array is a place to open at, not an action
                        elif isinstance(target, Dictionary):  # /AA: event -> action
                            pending += [action for _, action in target.pairs]
                            if target.values_of("S"):  # an action written where its events should be
                                pending.append(target)
        seen = set()
        while pending:
            value = pending.pop()
            for action in self.resolve(value):
                if not isinstance(action, Dictionary) or id(action) in seen:
                    continue
                seen.add(id(action))
                yield action
                for following in action.values_of("Next"):
                    pending += following if isinstance(following, list) else [following]


def _string_end(data, position):
    depth = 1
    for match in _STRING_PART.finditer(data, position):
        if match.group() == b"(":
            depth += 1
        elif match.group() == b")":
            depth -= 1
            if depth == 0:
                return match.end()
    raise Unreadable("string without its end")


def _ascii_hex(content):
    digits = re.sub(rb"[\x00\t\n\x0c\r ]", b"", content).split(b">", 1)[0]
    if len(digits) % 2:
        digits += b"0"
    try:
        return binascii.unhexlify(digits)
    except (binascii.Error, ValueError):
        raise Unreadable("ASCIIHex") from None


def _ascii85(content):
    encoded = re.sub(rb"[\x00\t\n\x0c\r ]", b"", content)
    encoded = encoded.removeprefix(b"<~").split(b"~>", 1)[0]
    try:
        return base64.a85decode(encoded)
    except ValueError:
        raise Unreadable("ASCII85") from None


def finding(data: bytes, *, max_inflated_bytes: int) -> Finding | None:
    """What makes the PDF `data` unsafe to accept, or None. Raises Unreadable, Encrypted, TooLarge."""
    reader = _Reader(max_inflated_bytes)
    reader.parse(data)
    marks = {match.start() for match in _OBJECT_MARK.finditer(data)}
    if marks - reader.object_starts:
        raise Unreadable("an object inside a string, a comment or a stream")
    reader.read_object_streams()
    active = sorted(reader.names & ACTIVE_NAMES)
    if active:
        return Finding(ACTIVE, active[0])
    for action in reader.automatic_actions():
        kinds = reader.names_in(action.values_of("S"))
        refused = sorted(kinds - AUTOMATIC_ACTIONS_ALLOWED) or ([] if kinds else ["(none)"])
        if refused:
            return Finding(AUTOMATIC, refused[0])
    return None
