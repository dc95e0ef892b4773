"""Spreadsheet exports (cssr/exports.py): no cell a participant wrote can become a formula in the
CSV or XLSX files the platform produces, and numbers stay numbers."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import ExpertiseArea
from cssr import exports
from workgroups import selectors, services
from workgroups.models import Question, Questionnaire, Tag

from . import factories

pytestmark = pytest.mark.django_db

# What a hostile participant could type (OWASP "CSV injection"), as it would be stored.
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\u200f=1",
]
# The same threat behind whitespace, invisible marks or full-width signs.
DISGUISED = [" =1", "\u00a0+1", "\u200b\u202e-1", "\ufeff@A1", "\u2066\u200d=1", "\n=1", "\uff1d1+1"]
ORDINARY = ["نحتاج إلى مدارس في الحي", "Power cuts - every day", "a@example.org", "<3", "50%", "", "'quoted"]


def _csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # spreadsheet programs read the Arabic as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx_sheet(response):
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content)).active


# --- The helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE + DISGUISED)
def test_text_a_spreadsheet_could_run_gets_a_quote_in_front(value):
    assert exports.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_text_is_unchanged(value):
    assert exports.safe_cell(value) == value


@pytest.mark.parametrize("value", [-1, 0, 42, -2.5, 12.5, Decimal("-3.25")])
def test_numbers_stay_numbers(value):
    assert exports.safe_cell(value) is value


def test_nothing_is_an_empty_cell_and_other_values_are_text():
    assert exports.safe_cell(None) == ""
    assert exports.safe_cell(True) == "True"


def test_csv_and_xlsx_from_the_same_rows_hold_the_same_safe_values():
    header = ["الاسم", "=العدد"]
    rows = [[value, -1] for value in HOSTILE + ORDINARY]
    csv_file = exports.csv_response(name="sample", header=header, rows=rows)
    assert csv_file["Cache-Control"] == "private, no-store"  # names of participants: no cache keeps them
    assert exports.xlsx_response(name="s", header=header, rows=rows)["Cache-Control"] == "private, no-store"
    csv_rows = _csv_rows(csv_file)
    assert csv_rows[0] == ["الاسم", "'=العدد"]
    assert [row[0] for row in csv_rows[1:]] == [exports.safe_cell(value) for value in HOSTILE + ORDINARY]
    assert {row[1] for row in csv_rows[1:]} == {"-1"}

    sheet = _xlsx_sheet(exports.xlsx_response(name="sample", header=header, rows=rows, sheet_title="Sheet"))
    assert sheet.sheet_view.rightToLeft
    cells = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in cells if row[0].value] == [
        exports.safe_cell(value) for value in HOSTILE + ORDINARY if value
    ]
    assert all(row[0].data_type == "s" for row in cells if row[0].value)
    assert all(row[1].value == -1 and row[1].data_type == "n" for row in cells)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_drops_characters_a_workbook_cannot_hold_instead_of_failing():
    sheet = _xlsx_sheet(exports.xlsx_response(name="x", header=["a\x00b"], rows=[["=\x01c\x1fd"]]))
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["ab"], ["'=cd"]]


def test_attachment_file_name_holds_only_safe_characters():
    response = exports.csv_response(name='../نتائج "x";\r\nSet-Cookie: a=b', header=["a"], rows=[])
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="x-Set-Cookie-a-b.csv"'
    assert exports.xlsx_response(name="", header=[], rows=[])["Content-Disposition"] == (
        'attachment; filename="export.xlsx"'
    )


# --- Concerns (rapporteurs' CSV) ----------------------------------------------------------------


def test_concern_export_quotes_hostile_tags_and_keeps_arabic_and_counts(world, clients):
    space, member = world["space"], world["users"]["member"]
    for number, name in enumerate(HOSTILE):
        concern = services.concern_propose(
            actor=member, space=space, title=f"قضية {number}", description="نص"
        )
        concern.tags.add(Tag.objects.create(space=space, name=name))
    ordinary = services.concern_propose(
        actor=member, space=space, title="السكن والإيجارات", description="الإيجارات مرتفعة", tags=["سكن"]
    )
    services.concern_endorse(actor=world["users"]["political_officer"], concern=ordinary)
    response = clients["rapporteur"].get(reverse("workgroups:concern-export", args=[space.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="concerns-')
    by_title = {row[0]: row for row in _csv_rows(response)[1:]}
    for number, name in enumerate(HOSTILE):
        assert by_title[f"قضية {number}"][5] == "'" + name
    assert by_title["السكن والإيجارات"][1:2] + by_title["السكن والإيجارات"][4:6] == [
        "الإيجارات مرتفعة",
        "1",
        "سكن",
    ]


def test_concern_tags_typed_by_a_member_come_out_quoted(world, clients):
    space, member = world["space"], world["users"]["member"]
    services.concern_propose(actor=member, space=space, title="قضية", description="نص", tags=["\u200f=1+1"])
    rows = _csv_rows(clients["rapporteur"].get(reverse("workgroups:concern-export", args=[space.pk])))
    assert rows[1][5] == "'" + Tag.objects.get(space=space).name  # as stored, whatever the service cleaned


# --- Questionnaire results (CSV and XLSX) ---------------------------------------------------------


def _questionnaire_with_hostile_respondents(world):
    """A named questionnaire with a scale from -2 to 2 and a text question; each respondent has a
    hostile display name, answers -1 and writes ordinary Arabic."""
    space, author = world["space"], world["users"]["rapporteur"]
    questionnaire = services.questionnaire_create(
        actor=author,
        space=space,
        title_ar="احتياجات",
        title_en="Needs",
        audience=Questionnaire.Audience.ALL,
        is_anonymous=False,
        allow_changes=False,
    )
    scale = services.question_add(
        actor=author,
        questionnaire=questionnaire,
        text_ar="=ما مدى رضاك؟",
        kind=Question.Kind.SCALE,
        scale_min=-2,
        scale_max=2,
    )
    text = services.question_add(
        actor=author,
        questionnaire=questionnaire,
        text_ar="ما الذي تحتاجه منطقتك؟",
        kind=Question.Kind.SHORT_TEXT,
    )
    services.questionnaire_publish(actor=author, questionnaire=questionnaire)
    questionnaire = Questionnaire.objects.get(pk=questionnaire.pk)
    for number, name in enumerate(HOSTILE):
        respondent = factories.add_member(space, username=f"respondent{number}", display_name=name)
        services.submission_save(
            actor=respondent,
            questionnaire=questionnaire,
            submit=True,
            values={scale: -1, text: "نحتاج إلى مدارس"},
        )
    return questionnaire


def test_questionnaire_csv_quotes_hostile_names_and_keeps_numbers(world, clients):
    questionnaire = _questionnaire_with_hostile_respondents(world)
    response = clients["rapporteur"].get(
        reverse("workgroups:questionnaire-export-csv", args=[questionnaire.pk])
    )
    assert re.fullmatch(
        rf'attachment; filename="questionnaire-{questionnaire.pk}-\d{{8}}\.csv"',
        response["Content-Disposition"],
    )
    header, *rows = _csv_rows(response)
    assert header[4:] == ["'=ما مدى رضاك؟", "ما الذي تحتاجه منطقتك؟"]
    assert [row[0] for row in rows] == ["'" + name for name in HOSTILE]
    assert {(row[4], row[5]) for row in rows} == {("-1", "نحتاج إلى مدارس")}


def test_questionnaire_xlsx_writes_hostile_names_as_quoted_strings_and_numbers_as_numbers(world, clients):
    questionnaire = _questionnaire_with_hostile_respondents(world)
    response = clients["rapporteur"].get(
        reverse("workgroups:questionnaire-export-xlsx", args=[questionnaire.pk])
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    header, *rows = list(_xlsx_sheet(response).iter_rows())
    assert [cell.value for cell in header[4:]] == ["'=ما مدى رضاك؟", "ما الذي تحتاجه منطقتك؟"]
    assert [row[0].value for row in rows] == ["'" + name for name in HOSTILE]
    assert all(row[0].data_type == "s" for row in rows)
    assert {(row[4].value, row[4].data_type, row[5].value) for row in rows} == {(-1, "n", "نحتاج إلى مدارس")}
    assert not any(cell.data_type == "f" for row in [header, *rows] for cell in row)


# --- Balance report (staff CSV) -------------------------------------------------------------------


def test_balance_csv_quotes_hostile_labels_and_keeps_counts_shares_and_suppression(world, clients):
    space = world["space"]
    areas = [
        ExpertiseArea.objects.create(slug=f"hostile-{number}", name=name, name_ar=name, name_en=name)
        for number, name in enumerate(HOSTILE)
    ]
    arabic = ExpertiseArea.objects.create(
        slug="housing-rights", name="حقوق السكن", name_ar="حقوق السكن", name_en="Housing rights"
    )
    for _ in range(4):
        factories.add_member(space, gender="woman", age_band="25_34", region="idlib").expertise_areas.add(
            arabic, *areas
        )
    factories.add_member(space, gender="man").expertise_areas.add(arabic)
    response = clients["staff"].get(reverse("workgroups:balance-export"), {"space": space.pk})
    assert response["Content-Disposition"].startswith(f'attachment; filename="balance-{space.pk}-')
    header, *rows = _csv_rows(response)
    assert len(header) == 4
    report = selectors.balance_report(spaces=[space])
    expected = [
        [
            str(dimension["title"]),
            str(row["label"]),
            row["display"],
            "" if row["percent"] is None else str(row["percent"]),
        ]
        for dimension in report["dimensions"]
        for row in dimension["rows"]
    ]
    assert rows[:-1] == [
        [exports.safe_cell(title), exports.safe_cell(label), count, share]
        for title, label, count, share in expected
    ]
    by_label = {row[1]: row for row in rows}
    for name in HOSTILE:
        assert by_label["'" + name][2:] == ["4", str(round(400 / report["total"]))]
    assert by_label["حقوق السكن"][2:] == ["5", str(round(500 / report["total"]))]
    assert any(row[2] == "<3" and row[3] == "" for row in rows)  # small counts stay hidden
    assert rows[-1][2:] == [str(report["total"]), "100"]


# --- One path ------------------------------------------------------------------------------------


def test_no_module_but_the_helper_writes_csv_or_xlsx():
    root = Path(__file__).resolve().parent.parent
    writers = ("csv.writer", "csv.DictWriter", "import csv", "openpyxl", "text/csv", "xlsxwriter")
    offenders = [
        str(path.relative_to(root))
        for package in ("accounts", "workgroups", "documents", "chat", "events", "cssr")
        for path in (root / package).rglob("*.py")
        if path != root / "cssr" / "exports.py" and any(writer in path.read_text() for writer in writers)
    ]
    assert offenders == []
