#!/usr/bin/env bash
# Vendor front-end assets from the npm registry into static/vendor/.
#
# No page may load anything from another host, so Bootstrap, htmx and the
# Arabic web font are copied into static/ and committed. Bootstrap's stylesheets
# are reduced to the rules the platform's mark-up uses (PurgeCSS: run this
# script again after templates start using Bootstrap classes they never used
# before) and the font is one weight subset to the scripts we write, so that
# a first visit stays light (tests/e2e/test_page_weight.py). axe-core is vendored
# too, for the browser tests only (tests/e2e/test_accessibility.py injects it
# into the pages it checks); no template loads it. Run this script only
# to refresh them (after changing the pinned versions in assets/package.json):
#
#     scripts/vendor_static.sh
#
# Needs: node + npm, and fontTools with woff2 support (pyftsubset + brotli),
# found on PATH or in the project's .venv/bin (pip install 'fonttools[woff]').
# Set PYFTSUBSET=/path/to/pyftsubset to override.
#
# The script is idempotent: it wipes static/vendor/ and writes it again.
# Outputs are deterministic for a given lock file and fontTools version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSETS="$ROOT/assets"
NM="$ASSETS/node_modules"
OUT="$ROOT/static/vendor"

# Font: family from @fontsource, exposed to CSS under our own family name.
FONT_PKG="@fontsource/ibm-plex-sans-arabic"
FONT_SLUG="ibm-plex-sans-arabic"
FONT_FAMILY="CSSR Arabic"
# One weight only: bold text (font-weight 600/700) is drawn by the browser from the regular face
# (font synthesis, on by default: no stylesheet of the platform sets `font-synthesis`), which saves
# a second ~31 KB file on a participant's first visit. The family has no variable font on npm.
FONT_WEIGHTS=(400)
# Code points kept in the subset:
#   U+0600-06FF  Arabic (letters, harakat, Arabic-Indic digits U+0660-0669,
#                Extended Arabic-Indic digits U+06F0-06F9, punctuation)
#   U+FE70-FEFF  Arabic Presentation Forms-B (pre-shaped text pasted from PDFs)
#   U+FDF2       the Allah ligature from Presentation Forms-A
#   U+0020-007E  basic Latin
#   U+00A0-00BF, U+00D7, U+00F7  Latin-1 symbols (nbsp, guillemets, degree,
#                multiplication/division signs...)
#   U+2000-206F  general punctuation (ZWNJ/ZWJ/LRM/RLM U+200C-200F are
#                default-ignorable: browsers handle them without glyphs)
# Left out to keep the font small (a first visit of a page must stay under
# 100 KB transferred: tests/e2e/test_page_weight.py); browsers fall back to a system font for
# them: Latin-1 accented letters U+00C0-00FF (~3.5 KB), Arabic Supplement
# U+0750-077F and Arabic Extended-A U+08A0-08FF (~8 KB, African/Quranic
# letters), the rest of Presentation Forms-A U+FB50-FDFF (~6 KB,
# Persian/Urdu forms and decorative ligatures).
FONT_UNICODES="U+0020-007E,U+00A0-00BF,U+00D7,U+00F7,U+0600-06FF,U+2000-206F,U+FDF2,U+FE70-FEFF"
# OpenType features kept: everything Arabic shaping and mark positioning
# needs, plus Latin ligatures and kerning. Only frac/numr/dnom (off by
# default in browsers; ~3 KB of extra digit glyphs) are dropped compared with
# --layout-features='*'.
FONT_FEATURES="ccmp,locl,rvrn,isol,init,medi,med2,fina,fin2,fin3,rlig,rclt,calt,liga,clig,kern,mark,mkmk,curs,dist,abvm,blwm,mset,stch"

log() { printf '%s\n' "$*" >&2; }
die() { log "vendor_static: $*"; exit 1; }

# Reproducible font timestamps (fontTools honours SOURCE_DATE_EPOCH).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"

command -v npm >/dev/null 2>&1 || die "npm not found"
command -v node >/dev/null 2>&1 || die "node not found"

# --- locate fontTools -------------------------------------------------------
if [[ -z "${PYFTSUBSET:-}" ]]; then
    if command -v pyftsubset >/dev/null 2>&1; then
        PYFTSUBSET="$(command -v pyftsubset)"
    elif [[ -x "$ROOT/.venv/bin/pyftsubset" ]]; then
        PYFTSUBSET="$ROOT/.venv/bin/pyftsubset"
    else
        die "pyftsubset not found on PATH nor in $ROOT/.venv/bin (pip install 'fonttools[woff]')"
    fi
fi
# The Python that has fontTools: the one beside pyftsubset, else python3.
FT_PY="$(dirname "$PYFTSUBSET")/python"
[[ -x "$FT_PY" ]] || FT_PY="$(command -v python3)"
"$FT_PY" -c 'import fontTools, brotli' 2>/dev/null \
    || die "$FT_PY cannot import fontTools and brotli (pip install 'fonttools[woff]')"

# --- install the pinned packages --------------------------------------------
log "== npm packages (assets/)"
(
    cd "$ASSETS"
    if [[ -f package-lock.json ]]; then
        npm ci --no-audit --no-fund --loglevel=error
    else
        npm install --no-audit --no-fund --loglevel=error
    fi
) >&2

pkg_version() { node -p "require('$NM/$1/package.json').version"; }

# Copy a minified file and drop sourceMappingURL comments: we ship no .map
# files and Django's ManifestStaticFilesStorage would fail looking for them.
copy_min() {
    local src="$1" dst="$2"
    [[ -f "$src" ]] || die "missing $src"
    sed -E \
        -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' \
        -e '/^[[:space:]]*\/\/[#@] sourceMappingURL=.*$/d' \
        "$src" >"$dst"
    if grep -q 'sourceMappingURL' "$dst"; then
        die "sourceMappingURL still present in $dst"
    fi
}

# --- static/vendor, from scratch --------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT/bootstrap" "$OUT/htmx" "$OUT/fonts" "$OUT/axe"

# Bootstrap
BS="$NM/bootstrap"
copy_min "$BS/dist/css/bootstrap.min.css" "$OUT/bootstrap/bootstrap.min.css"
copy_min "$BS/dist/css/bootstrap.rtl.min.css" "$OUT/bootstrap/bootstrap.rtl.min.css"
copy_min "$BS/dist/js/bootstrap.bundle.min.js" "$OUT/bootstrap/bootstrap.bundle.min.js"
cp "$BS/LICENSE" "$OUT/bootstrap/LICENSE"

# Bootstrap's stylesheets reduced to the rules the platform's mark-up can use (PurgeCSS; what is
# scanned and what is always kept: assets/purge-css.cjs). Sizes before and after go to VERSIONS.txt.
BS_CSS=(bootstrap.min.css bootstrap.rtl.min.css)
gz_size() { gzip -9 -c "$1" | wc -c; }
declare -A CSS_BEFORE
for f in "${BS_CSS[@]}"; do
    CSS_BEFORE[$f]="$(wc -c <"$OUT/bootstrap/$f") bytes, $(gz_size "$OUT/bootstrap/$f") gzip -9"
done
node "$ASSETS/purge-css.cjs" "$ROOT" "${BS_CSS[@]/#/$OUT/bootstrap/}"
for f in "${BS_CSS[@]}"; do
    grep -q -- '--bs-body-font-family' "$OUT/bootstrap/$f" || die "the purge dropped Bootstrap's variables from $f"
done

# htmx
HX="$NM/htmx.org"
copy_min "$HX/dist/htmx.min.js" "$OUT/htmx/htmx.min.js"
cp "$HX/LICENSE" "$OUT/htmx/LICENSE"

# axe-core (accessibility checks of the browser tests; never loaded by a page)
AX="$NM/axe-core"
copy_min "$AX/axe.min.js" "$OUT/axe/axe.min.js"
cp "$AX/LICENSE" "$OUT/axe/LICENSE"

# Font. Fontsource ships one woff2 per Unicode subset; merge the "arabic" and
# "latin" files of each weight into one font, then subset it to our ranges.
FS="$NM/$FONT_PKG"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for w in "${FONT_WEIGHTS[@]}"; do
    ar="$FS/files/$FONT_SLUG-arabic-$w-normal.woff2"
    la="$FS/files/$FONT_SLUG-latin-$w-normal.woff2"
    [[ -f "$ar" && -f "$la" ]] || die "missing font files for weight $w in $FS/files"
    "$FT_PY" - "$ar" "$la" "$TMP/merged-$w.ttf" <<'PY'
import sys
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

*inputs, output = sys.argv[1:]
plain = []
for i, path in enumerate(inputs):
    font = TTFont(path)
    font.flavor = None  # woff2 -> plain TrueType for the merger
    p = f"{output}.in{i}.ttf"
    font.save(p)
    plain.append(p)
# The Arabic file comes first: it wins for code points present in both.
merged = Merger().merge(plain)
merged.recalcTimestamp = False
merged.save(output)
PY
    "$PYFTSUBSET" "$TMP/merged-$w.ttf" \
        --unicodes="$FONT_UNICODES" \
        --layout-features="$FONT_FEATURES" \
        --no-hinting --desubroutinize \
        --flavor=woff2 \
        --output-file="$OUT/fonts/$FONT_SLUG-$w.woff2"
done
cp "$FS/LICENSE" "$OUT/fonts/OFL.txt"

{
    printf '/* %s %s (%s), subset for this project by scripts/vendor_static.sh.\n' \
        "$FONT_PKG" "$(pkg_version "$FONT_PKG")" "$(node -p "require('$FS/metadata.json').family")"
    printf '   SIL Open Font License 1.1, see OFL.txt. */\n'
    for w in "${FONT_WEIGHTS[@]}"; do
        cat <<CSS
@font-face {
  font-family: "$FONT_FAMILY";
  font-style: normal;
  font-weight: $w;
  font-display: swap;
  src: url("./$FONT_SLUG-$w.woff2") format("woff2");
  unicode-range: $FONT_UNICODES;
}
CSS
    done
} >"$OUT/fonts/fonts.css"

# Versions
{
    printf '# Vendored by scripts/vendor_static.sh from assets/package-lock.json\n'
    for p in axe-core bootstrap htmx.org "$FONT_PKG" purgecss; do
        printf '%s %s\n' "$p" "$(pkg_version "$p")"
    done
    printf 'font subset: %s\n' "$FONT_UNICODES"
    printf 'font features: %s\n' "$FONT_FEATURES"
    printf 'fonttools %s\n' "$("$FT_PY" -c 'import fontTools; print(fontTools.version)')"
    for f in "${BS_CSS[@]}"; do
        printf 'bootstrap/%s purged: %s -> %s bytes, %s gzip -9\n' "$f" "${CSS_BEFORE[$f]}" \
            "$(wc -c <"$OUT/bootstrap/$f")" "$(gz_size "$OUT/bootstrap/$f")"
    done
    for w in "${FONT_WEIGHTS[@]}"; do
        printf 'fonts/%s-%s.woff2: %s bytes\n' "$FONT_SLUG" "$w" "$(wc -c <"$OUT/fonts/$FONT_SLUG-$w.woff2")"
    done
} >"$OUT/VERSIONS.txt"

# --- report -----------------------------------------------------------------
printf '%-45s %10s %10s\n' "file (static/vendor/)" "bytes" "gzip -9"
total=0
gztotal=0
while IFS= read -r f; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total=$((total + raw))
    gztotal=$((gztotal + gz))
    printf '%-45s %10d %10d\n' "${f#"$OUT"/}" "$raw" "$gz"
done < <(find "$OUT" -type f | LC_ALL=C sort)
printf '%-45s %10d %10d\n' "total" "$total" "$gztotal"
