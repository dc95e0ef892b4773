"""Demo drafts: in the active legal group an ordinary draft with revisions and comments and the final
note open for members' comments; in the concluded first cohort a submitted note with the Special
Envoy's decision. Loading twice changes nothing."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from documents.models import Draft, Section, SectionRevision, SharingDecision
from documents.services import drafts as services

User = get_user_model()

INTRODUCTION = (
    "تعرض هذه المذكرة خلاصة نقاشات مجموعة العمل التخصصية للقضايا القانونية والدستورية خلال فترة العمل، "
    "وتبيّن مجالات التوافق بين الأعضاء والآراء المتباينة، وتختم بتوصيات إلى مكتب المبعوث الخاص."
)
RECOMMENDATIONS = (
    "- إدراج ضمانات دستورية صريحة للحقوق والحريات الأساسية.\n"
    "- إنشاء آلية مستقلة للكشف عن مصير المعتقلين والمفقودين وإبلاغ العائلات.\n"
    "- إشراك المجالس المحلية في الحوار الدستوري."
)


def load(*, context):
    spaces = context.get("workgroups") or {}
    users = context.get("accounts") or {}
    active, concluded = spaces.get("legal-2"), spaces.get("legal-1")
    loaded = {}
    if active is not None and not Draft.objects.filter(space=active).exists():
        loaded["draft"] = _ordinary_draft(active, users)
        loaded["final_note"] = _final_note(active, users)
    if concluded is not None and not Draft.objects.filter(space=concluded).exists():
        loaded["submitted_note"] = _submitted_note(concluded, users)
    return loaded


def _ordinary_draft(space, users):
    layla, omar, rania, khaled = (users[name] for name in ("layla", "omar", "rania", "khaled"))
    draft = services.draft_create(actor=layla, space=space, title="ورقة عمل: المبادئ الدستورية الأساسية")
    principles = draft.sections.get()
    services.section_save(
        actor=layla,
        section=principles,
        base_revision=0,
        text="يتفق المشاركون على أن المواطنة المتساوية أساس أي عقد اجتماعي جديد.",
    )
    services.section_save(
        actor=omar,
        section=principles,
        base_revision=1,
        text="يتفق المشاركون على أن المواطنة المتساوية وسيادة القانون أساس أي عقد اجتماعي جديد.",
    )
    services.section_save(
        actor=rania,
        section=principles,
        base_revision=2,
        text="يتفق المشاركون على أن المواطنة المتساوية وسيادة القانون والفصل بين السلطات أساس أي عقد "
        "اجتماعي جديد في سوريا.",
    )
    decentralisation = services.section_add(actor=omar, draft=draft, title="اللامركزية الإدارية")
    services.section_save(
        actor=omar,
        section=decentralisation,
        base_revision=0,
        text="اللامركزية الإدارية مطلب واضح في المناطق التي عملت فيها المجالس المحلية.",
    )
    question = services.comment_create(
        actor=rania, section=decentralisation, body="هل نضيف ضمانات لعدم تحول اللامركزية إلى تقسيم فعلي؟"
    )
    services.comment_create(
        actor=omar, section=decentralisation, parent=question, body="نعم، سأقترح صياغة في المراجعة القادمة."
    )
    resolved = services.comment_create(
        actor=khaled, section=principles, body="أقترح ذكر سوريا صراحة في الجملة."
    )
    services.comment_set_resolved(actor=khaled, comment=resolved, resolved=True)
    return draft


def _final_note(space, users):
    layla, khaled, huda = users["layla"], users["khaled"], users["huda"]
    note = services.final_note_create(actor=khaled, space=space, title="مذكرة الإحاطة الختامية للمجموعة")
    sections = {section.key: section for section in note.sections.all()}
    services.section_save(
        actor=khaled, section=sections[Section.Key.INTRODUCTION], base_revision=0, text=INTRODUCTION
    )
    services.final_note_pull_concerns(actor=layla, draft=note)
    divergence = sections[Section.Key.DIVERGENCE]
    services.section_save(
        actor=layla,
        section=divergence,
        base_revision=0,
        text="تباينت الآراء حول توقيت الإصلاح الدستوري: رأى بعض الأعضاء أنه يسبق الانتخابات، "
        "ورأى آخرون أن تسبقه مرحلة انتقالية بإعلان دستوري مؤقت.",
    )
    services.section_save(
        actor=khaled, section=sections[Section.Key.RECOMMENDATIONS], base_revision=0, text=RECOMMENDATIONS
    )
    services.draft_transition(actor=khaled, draft=note, to=Draft.Status.OPEN_FOR_COMMENTS)
    services.comment_create(
        actor=huda,
        section=divergence,
        body="أقترح إضافة رأي ثالث يربط التوقيت بتوفر البيئة الآمنة والمحايدة.",
    )
    return note


def _submitted_note(space, users):
    """The first cohort's note, submitted before the space concluded: written directly, since a
    concluded space is read-only for the services."""
    khaled, ops = users["khaled"], users["ops"]
    submitted_at = timezone.now() - timedelta(days=155)
    note = Draft.objects.create(
        space=space,
        title="مذكرة الإحاطة الختامية – الدورة الأولى",
        kind=Draft.Kind.FINAL_NOTE,
        status=Draft.Status.SUBMITTED,
        created_by=khaled,
        created_at=submitted_at - timedelta(days=20),
        updated_at=submitted_at,
        status_changed_at=submitted_at,
        status_changed_by=khaled,
        submitted_at=submitted_at,
        submitted_by=khaled,
    )
    texts = {
        Section.Key.INTRODUCTION: "تلخص هذه المذكرة عمل الدورة الأولى للمجموعة حول المبادئ الدستورية.",
        Section.Key.AGREEMENT: "- المواطنة المتساوية دون تمييز.\n- استقلال القضاء.",
        Section.Key.DIVERGENCE: "تباينت الآراء حول شكل نظام الحكم بين النظام البرلماني والنظام المختلط.",
        Section.Key.RECOMMENDATIONS: "- مواصلة النقاش حول اللامركزية في الدورة القادمة.",
    }
    for position, key in enumerate(services.FINAL_NOTE_SECTIONS, start=1):
        section = Section.objects.create(
            draft=note,
            key=key,
            title=str(Section.Key(key).label),
            position=position,
            text=texts[key],
            revision_number=1,
            updated_at=submitted_at,
        )
        SectionRevision.objects.create(
            section=section, number=1, text=texts[key], author=khaled, created_at=submitted_at
        )
    SharingDecision.objects.create(
        draft=note,
        decision=SharingDecision.Decision.MEMBER_STATES,
        decided_on=(submitted_at + timedelta(days=30)).date(),
        note="شاركها المبعوث الخاص مع الدول الأعضاء في إحاطته الدورية.",
        recorded_by=ops,
    )
    return note
