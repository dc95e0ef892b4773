"""Fill empty or fuzzy entries of a catalog from a translator's JSON file.

    python scripts/fill_catalog.py ar translations.json

The JSON maps each msgid (prefixed with "context\\x04" for a msgctxt) to its translation: a string,
or for a plural entry a list with one string per plural form of the language (Arabic has six).
Entries that already hold a translation are left as they are unless --force is given.
"""

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = escaped.split("\n")
    if len(parts) == 1:
        return f'"{escaped}"'
    pieces = [part + "\\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{piece}"' for piece in pieces)


def _unescape(text):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _parse(lines):
    fields, current = {}, None
    for line in lines:
        match = FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif line.startswith('"') and current:
            fields[current] += line[1:-1]
    return {key: _unescape(value) for key, value in fields.items()}


def fill(text, translations, force=False):
    out, filled = [], 0
    for block in text.split("\n\n"):
        lines = block.split("\n")
        fields = _parse(lines)
        if not fields.get("msgid"):
            out.append(block)
            continue
        key = (fields["msgctxt"] + "\x04" if "msgctxt" in fields else "") + fields["msgid"]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        empty = all(not value for name, value in fields.items() if name.startswith("msgstr"))
        if key not in translations or not (force or empty or fuzzy):
            out.append(block)
            continue
        value = translations[key]
        head = []
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                line = re.sub(r",?\s*fuzzy", "", line)
                if line.strip() == "#,":
                    continue
            if line.startswith("msgstr"):
                break
            head.append(line)
        if "msgid_plural" in fields:
            forms = value if isinstance(value, list) else [value]
            body = [f"msgstr[{index}] {_quote(form)}" for index, form in enumerate(forms)]
        else:
            body = [f"msgstr {_quote(value)}"]
        out.append("\n".join(head + body))
        filled += 1
    return "\n\n".join(out), filled


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language")
    parser.add_argument("json_file")
    parser.add_argument("--force", action="store_true", help="replace existing translations too")
    args = parser.parse_args()
    po = ROOT / "locale" / args.language / "LC_MESSAGES" / "django.po"
    translations = json.loads(Path(args.json_file).read_text(encoding="utf-8"))
    text, filled = fill(po.read_text(encoding="utf-8"), translations, force=args.force)
    po.write_text(text, encoding="utf-8")
    print(f"{po.relative_to(ROOT)}: {filled} entries filled")


if __name__ == "__main__":
    main()
