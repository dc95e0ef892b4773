"""Access-matrix rows and fixture content of the drafts capability (joined in tests/matrix/__init__.py).

The world holds an ordinary draft by the member (one section with two revisions and a comment by the
member), the final note in progress (drafting) and a submitted final note of the same space.
Writing an ordinary draft, commenting and restoring need *contribute* (member, rapporteur, political
officer); the final note's writes and workflow need *manage outputs* (rapporteurs). The technical
officer and staff read. The outputs inbox is for the political officer and staff; only staff record
the Special Envoy's decision.
"""

from .core import LOGIN, POSTERS, Row, expect, space_action, space_view

RAPPORTEUR = ["rapporteur"]


def _space(world):
    return [world["space"].pk]


def _draft(world):
    return [world["space"].pk, world["draft"].pk]


def _note(world):
    return [world["space"].pk, world["final_note"].pk]


def _section(world):
    return [world["space"].pk, world["draft"].pk, world["section"].pk]


def _comment(world):
    return [world["space"].pk, world["draft"].pk, world["draft_comment"].pk]


def _section_edit(world):
    return {"text": "نص جديد للقسم", "base_revision": world["section"].revision_number}


ROWS = [
    Row("documents:draft-list", space_view(200), args=_space),
    Row(
        "documents:draft-list",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_space,
        data=lambda w: {"title": "مسودة ورقة الموقف"},
    ),
    Row(
        "documents:final-note-create",
        space_action(302, allowed=RAPPORTEUR),
        method="post",
        args=_space,
        note="a note is already in progress: a message",
    ),
    Row("documents:draft-detail", space_view(200), args=_draft),
    Row("documents:draft-detail", space_view(200), args=_note, note="final note"),
    Row(
        "documents:section-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_draft,
        data=lambda w: {"title": "قسم جديد"},
    ),
    Row("documents:section-edit", space_action(200, allowed=POSTERS), args=_section),
    Row(
        "documents:section-edit",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_section,
        data=_section_edit,
    ),
    Row("documents:section-history", space_view(200), args=_section),
    Row("documents:section-diff", space_view(200), args=_section, data=lambda w: {"from": 1, "to": 2}),
    Row(
        "documents:section-restore",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_section,
        data=lambda w: {"number": 1},
    ),
    Row(
        "documents:comment-create",
        space_action(302, allowed=POSTERS),
        method="post",
        args=_section,
        data=lambda w: {"body": "ملاحظة على الصياغة"},
    ),
    # the member wrote the comment; rapporteurs resolve any comment
    Row(
        "documents:comment-resolve",
        space_action(302, allowed=["member", "rapporteur"]),
        method="post",
        args=_comment,
        data=lambda w: {"action": "resolve"},
    ),
    Row(
        "documents:final-note-pull-concerns",
        space_action(302, allowed=RAPPORTEUR),
        method="post",
        args=_note,
        note="no agreed concern: a message",
    ),
    Row(
        "documents:draft-transition",
        space_action(200, allowed=RAPPORTEUR),
        args=_note,
        data=lambda w: {"to": "submitted"},
        note="the confirmation step",
    ),
    Row(
        "documents:draft-transition",
        space_action(302, allowed=RAPPORTEUR),
        method="post",
        args=_note,
        data=lambda w: {"to": "open_for_comments"},
    ),
    Row("documents:draft-export", space_view(200), args=lambda w: [*_draft(w), "docx"], note="docx"),
    Row("documents:draft-export", space_view(200), args=lambda w: [*_draft(w), "pdf"], note="pdf"),
    Row("documents:outputs-inbox", expect(404, anonymous=LOGIN, political_officer=200, staff=200)),
    Row(
        "documents:output-decision",
        expect(404, anonymous=LOGIN, staff=302),
        method="post",
        args=lambda w: [w["submitted_note"].pk],
        data=lambda w: {"decision": "member_states", "decided_on": "2026-11-20", "note": ""},
    ),
]


def content(world):
    """Objects of this capability in `world["space"]` that the rows need.

    Merged into the `content` fixture.
    """
    from documents.services import drafts

    space, users = world["space"], world["users"]
    member, rapporteur = users["member"], users["rapporteur"]
    draft = drafts.draft_create(actor=member, space=space, title="ورقة حول المبادئ الدستورية")
    section = draft.sections.get()
    drafts.section_save(
        actor=member, section=section, text="المواطنة المتساوية أساس العقد الاجتماعي.", base_revision=0
    )
    drafts.section_save(
        actor=rapporteur,
        section=section,
        text="المواطنة المتساوية وسيادة القانون أساس العقد الاجتماعي.",
        base_revision=1,
    )
    comment = drafts.comment_create(actor=member, section=section, body="هل نضيف الفصل بين السلطات؟")
    submitted = drafts.final_note_create(actor=rapporteur, space=space, title="مذكرة الإحاطة الختامية")
    introduction = submitted.sections.get(key="introduction")
    drafts.section_save(
        actor=rapporteur, section=introduction, text="تعرض هذه المذكرة نقاشات المجموعة.", base_revision=0
    )
    for step in ("open_for_comments", "joint_proposal", "submitted"):
        drafts.draft_transition(actor=rapporteur, draft=submitted, to=step)
    note = drafts.final_note_create(actor=rapporteur, space=space, title="مذكرة الإحاطة – الدورة الثانية")
    return {
        "draft": draft,
        "section": section,
        "draft_comment": comment,
        "final_note": note,
        "submitted_note": submitted,
    }
