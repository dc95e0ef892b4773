"""Non-attribution: the check that warns when a text names a member of the space.

A corpus of texts with the names they hold (or do not hold): Arabic particles, spelling variants,
either order, line breaks, English; then the same check on the draft, on the export pages, and on the
text of the exported PDF and DOCX files.
"""

import io

import pytest
from django.urls import reverse

from documents import attribution
from documents.services import drafts as services

PEOPLE = [
    attribution.Person(shown="عمر الخطيب", names=("عمر الخطيب", "omar_k")),
    attribution.Person(shown="هدى السيد", names=("هدى السيد", "huda")),
    attribution.Person(shown="إيمان مصطفى", names=("إيمان مصطفى", "iman")),
    attribution.Person(shown="فاطمة الزهراء عبد الله", names=("فاطمة الزهراء عبد الله", "fatima")),
    attribution.Person(shown="Layla Haddad", names=("Layla Haddad", "layla")),
    attribution.Person(shown="رنا", names=("رنا", "rana_s")),
]

CORPUS = [
    # the name as written
    ("قالت هدى السيد إن الوضع صعب", ["هدى السيد"]),
    ("اقترح عمر الخطيب تعديل الفقرة", ["عمر الخطيب"]),
    # attached particles: و ف ب ل ك and their combinations, «لل» before the article
    ("تحدث كريم وعمر الخطيب عن السكن", ["عمر الخطيب"]),
    ("فعمر الخطيب يرى غير ذلك", ["عمر الخطيب"]),
    ("شكرًا لعمر الخطيب على الملاحظة", ["عمر الخطيب"]),
    ("كما أشار بعمر الخطيب", ["عمر الخطيب"]),
    ("وبهدى السيد بدأ النقاش", ["هدى السيد"]),
    ("وفقًا لما قالته هدى السيد وإيمان مصطفى", ["هدى السيد", "إيمان مصطفى"]),
    ("أرسلت الرسالة للخطيب عمر", ["عمر الخطيب"]),
    ("وكهدى السيد يرى آخرون", ["هدى السيد"]),
    # spelling variants: hamza seats, ta marbuta / ha, alef maqsura / ya, diacritics, tatweel
    ("ذكرت ايمان مصطفى أن المدارس مغلقة", ["إيمان مصطفى"]),
    ("ذكرت إيمـــان مصطفى ذلك", ["إيمان مصطفى"]),
    ("قالت هُدَى السَّيِّد", ["هدى السيد"]),
    ("قالت هدي السيد", ["هدى السيد"]),
    ("كتبت فاطمه الزهراء عبد الله", ["فاطمة الزهراء عبد الله"]),
    ("رأي عُمَر الخَطِيب", ["عمر الخطيب"]),
    # invisible characters a phone may insert
    ("قال عمر\u200c الخطيب", ["عمر الخطيب"]),
    # first and family name in either order, across line breaks and punctuation
    ("الخطيب عمر قدّم اقتراحًا", ["عمر الخطيب"]),
    ("الخطيب، عمر", ["عمر الخطيب"]),
    ("في الفقرة الأولى عمر\nالخطيب يقترح", ["عمر الخطيب"]),
    ("السيد هدى", ["هدى السيد"]),
    ("فاطمة عبد الله ترى", ["فاطمة الزهراء عبد الله"]),
    ("عبد الله فاطمة", ["فاطمة الزهراء عبد الله"]),
    ("قال عبد الله إن", []),
    # usernames and mentions
    ("كما قال @omar_k في النقاش", ["عمر الخطيب"]),
    ("رد huda على ذلك", ["هدى السيد"]),
    # a one-word name, with a particle
    ("وأضافت ورنا أن", ["رنا"]),
    # English
    ("Layla Haddad proposed this paragraph.", ["Layla Haddad"]),
    ("As layla haddad said", ["Layla Haddad"]),
    ("Haddad, Layla wrote it", ["Layla Haddad"]),
    ("This is Layla's proposal", ["Layla Haddad"]),
    ("Thanks to @layla and Omar_K", ["Layla Haddad", "عمر الخطيب"]),
    # no name: words that contain a name, or part of a name alone, are not a name
    ("عمران مدينة في اليمن", []),
    ("السيدة هدى الجديدة", []),
    ("مسألة العمر والخطيب في المسجد", []),
    ("الرنان صوت", []),
    ("The haddadi family", []),
    ("Laylax and huddle", []),
    ("", []),
    ("تحدث المشاركون عن السكن والأراضي والممتلكات", []),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[f"case-{i}" for i in range(len(CORPUS))])
def test_names_are_found_with_particles_variants_and_either_order(text, expected):
    assert attribution.names_in(text, PEOPLE) == [p.shown for p in PEOPLE if p.shown in expected]


def test_the_corpus_is_large_and_covers_both_languages():
    assert len(CORPUS) >= 30
    assert (
        sum(1 for text, _ in CORPUS if any("a" <= c.lower() <= "z" for c in text) and not _arabic(text)) >= 6
    )
    assert sum(1 for _, expected in CORPUS if not expected) >= 6


def _arabic(text):
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _note_naming(world, text):
    from tests.test_drafts import _note

    return _note(world, texts={"introduction": text, "agreement": "نص"})


def test_the_draft_check_finds_names_the_whole_word_check_missed(world):
    note = _note_naming(world, "تحدث كريم وعمر الخطيب، ثم قالت ليلى\nحداد إن الوضع صعب.")
    assert set(services.draft_member_names(note)) == {"عمر الخطيب", "ليلى حداد"}


@pytest.mark.parametrize("export_format", ["pdf", "docx"])
def test_an_export_that_names_members_lists_them_first_and_the_file_holds_them(world, clients, export_format):
    note = _note_naming(world, "اقترح وعمر الخطيب هذه الفقرة.")
    url = reverse("documents:draft-export", args=[world["space"].pk, note.pk, export_format])
    warning = clients["rapporteur"].get(url)
    assert warning.status_code == 200 and warning.context["names"] == ["عمر الخطيب"]
    assert "Content-Disposition" not in warning and "عمر الخطيب" in warning.content.decode()
    exported = clients["rapporteur"].get(url, {"confirmed": "1"})
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    people = [attribution.Person(shown="عمر الخطيب", names=("عمر الخطيب",))]
    assert attribution.names_in(_file_text(exported.content, export_format), people) == ["عمر الخطيب"]


@pytest.mark.parametrize("export_format", ["pdf", "docx"])
def test_an_export_that_names_nobody_is_a_file_at_once(world, clients, export_format):
    note = _note_naming(world, "تحدث المشاركون عن السكن.")
    url = reverse("documents:draft-export", args=[world["space"].pk, note.pk, export_format])
    response = clients["rapporteur"].get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def _file_text(content, export_format):
    if export_format == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    import docx

    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs)
