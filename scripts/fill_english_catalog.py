"""Fill locale/en's catalog: English msgids are their own translation (so the catalog is complete).

Entries an English editor already changed are kept; only empty or fuzzy ones are filled.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _unquote(lines):
    return "".join(
        re.match(r'^(?:msgid|msgid_plural|msgstr(?:\[\d\])?)?\s*"(.*)"$', line).group(1) for line in lines
    )


def fill(text):
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        if not any(line.startswith("msgid ") for line in lines) or 'msgid ""\nmsgstr ""\n"Project' in block:
            out.append(block)
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        lines = [line for line in lines if not line.startswith("#|")]
        lines = [
            line
            for line in lines
            if not (line.startswith("#,") and "fuzzy" in line and line.strip() == "#, fuzzy")
        ]
        lines = [re.sub(r",\s*fuzzy", "", line) if line.startswith("#,") else line for line in lines]

        def section(prefix, lines=lines):
            start = next(i for i, line in enumerate(lines) if line.startswith(prefix))
            end = start + 1
            while end < len(lines) and lines[end].startswith('"'):
                end += 1
            return start, end

        msgid_start, msgid_end = section("msgid ")
        msgid_lines = lines[msgid_start:msgid_end]
        plural = any(line.startswith("msgid_plural ") for line in lines)
        if plural:
            plural_start, plural_end = section("msgid_plural ")
            plural_lines = lines[plural_start:plural_end]
            rest = [line for line in lines[plural_end:] if not line.startswith(("msgstr", '"'))]
            singular = [re.sub(r"^msgid ", "msgstr[0] ", msgid_lines[0])] + msgid_lines[1:]
            many = [re.sub(r"^msgid_plural ", "msgstr[1] ", plural_lines[0])] + plural_lines[1:]
            current = [line for line in lines[plural_end:] if line.startswith(("msgstr", '"'))]
            if (
                not fuzzy
                and current
                and _unquote([c for c in current if c.startswith("msgstr[0]")] or ['""'])
            ):
                out.append("\n".join(lines))
                continue
            lines = lines[:plural_end] + singular + many + rest
        else:
            msgstr_start, msgstr_end = section("msgstr")
            if _unquote(lines[msgstr_start:msgstr_end]) and not fuzzy:
                out.append("\n".join(lines))
                continue
            lines = (
                lines[:msgstr_start]
                + [re.sub(r"^msgid ", "msgstr ", msgid_lines[0])]
                + msgid_lines[1:]
                + lines[msgstr_end:]
            )
        out.append("\n".join(lines))
    return "\n\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PO
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"filled {path}")
