"""Demo events: the legal group's past and coming meetings (one about to open its room, one
cancelled), answers, a request to invite an expert, and meetings in the civic group and the shared space."""

from datetime import timedelta

from django.utils import timezone

from workgroups.models import AgendaItem

from . import services
from .models import Event


def _at(days, hour, minute=0):
    """A time `days` from today at `hour` UTC (the demo's people read it in their own zones)."""
    now = timezone.now()
    return (now + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def load(*, context):
    users, spaces = context["accounts"], context["workgroups"]
    legal, civic, shared = spaces["legal-2"], spaces["civic-2"], spaces["wab-shared"]
    if Event.objects.filter(space=legal).exists():
        return {}
    layla, khaled, omar, rania, huda = (users[name] for name in ("layla", "khaled", "omar", "rania", "huda"))
    now = timezone.now()

    past = services.event_create(
        actor=layla,
        space=legal,
        title="الاجتماع الأول: التعارف وتوزيع المهام",
        description="تعارف بين الأعضاء، ومراجعة مدونة قواعد السلوك، والاتفاق على مواعيد الاجتماعات.",
        starts_at=_at(-12, 15),
        ends_at=_at(-12, 17),
        time_zone="Asia/Damascus",
    )
    # Starts in ten minutes: its "join the meeting" button is already shown to the members.
    soon_start = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    soon = services.event_create(
        actor=khaled,
        space=legal,
        title="جلسة عمل: المبادئ الدستورية المتفق عليها",
        description="نراجع قائمة المبادئ التي جمعها المقرران ونحدد نقاط الاختلاف.",
        starts_at=soon_start,
        ends_at=soon_start + timedelta(hours=2),
        time_zone="Europe/Istanbul",
        agenda_items=AgendaItem.objects.filter(space=legal, status=AgendaItem.Status.IN_DISCUSSION),
    )
    next_week = services.event_create(
        actor=layla,
        space=legal,
        title="اجتماع حول اللامركزية الإدارية",
        description="نقاش أوراق الأعضاء حول اللامركزية، بحضور خبير إن وافق مكتب المبعوث الخاص.",
        starts_at=_at(7, 14),
        ends_at=_at(7, 16),
        time_zone="Europe/Berlin",
        agenda_items=AgendaItem.objects.filter(space=legal, status=AgendaItem.Status.PLANNED),
    )
    cancelled = services.event_create(
        actor=omar,
        space=legal,
        title="لقاء حضوري في غازي عنتاب",
        location="غازي عنتاب، قاعة الاجتماعات",
        description="أُلغي بسبب تعذّر السفر على عدد من الأعضاء.",
        starts_at=_at(10, 9),
        ends_at=_at(10, 13),
        time_zone="Europe/Istanbul",
    )
    services.event_cancel(actor=omar, event=cancelled)
    services.event_create(
        actor=users["yusuf"],
        space=civic,
        title="ورشة: الفضاء المدني في المجالس المحلية",
        description="عرض تجارب المجالس المحلية في الشمال والجنوب.",
        starts_at=_at(4, 16),
        ends_at=_at(4, 18),
        time_zone="Asia/Beirut",
    )
    services.event_create(
        actor=users["maryam"],
        space=shared,
        title="لقاء مشترك مع المجلس الاستشاري النسائي",
        description="مشاركة المرأة في العملية الدستورية.",
        starts_at=_at(5, 12),
        ends_at=_at(5, 14),
        time_zone="Asia/Amman",
    )
    for user, answer in (
        (layla, "going"),
        (khaled, "going"),
        (omar, "going"),
        (rania, "maybe"),
        (huda, "not_going"),
    ):
        services.event_respond(actor=user, event=next_week, answer=answer)
        services.event_respond(actor=user, event=soon, answer="going" if answer != "not_going" else "maybe")
    services.expert_invitation_request(
        actor=omar,
        event=next_week,
        name="د. سامر الحسيني",
        expertise="اللامركزية والحكم المحلي",
        email="expert.demo@example.org",
        reason="شارك في صياغة قوانين الإدارة المحلية ويمكنه عرض تجارب مقارنة من المنطقة.",
    )
    return {"events": [past, soon, next_week, cancelled]}
