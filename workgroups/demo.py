"""Demo spaces for `make run`: two working groups, the shared space with the WAB, and a concluded
earlier cohort. Loading twice changes nothing."""

from datetime import timedelta

from django.utils import timezone

from . import demo_questionnaires, services
from .models import (
    Election,
    GroupProposal,
    Membership,
    MembershipEvent,
    Nomination,
    Role,
    Space,
    Theme,
    Thread,
    Vote,
)

SPACES = [
    {
        "key": "legal-1",
        "theme": "legal-constitutional",
        "name_ar": "مجموعة العمل التخصصية للقضايا القانونية والدستورية – الدورة الأولى",
        "name_en": "Legal and constitutional issues working group – first cohort",
        "description_ar": "الدورة الأولى للمجموعة، اختُتمت وأرسلت مذكرة الإحاطة إلى مكتب المبعوث الخاص.",
        "description_en": (
            "The group's first cohort; it concluded and sent its briefing note to the Office of the "
            "Special Envoy."
        ),
        "start_days": -260,
        "length_days": 110,
        "status": Space.Status.CONCLUDED,
        "people": [
            ("layla", Role.MEMBER),
            ("khaled", Role.RAPPORTEUR),
            ("rania", Role.RAPPORTEUR),
            ("salma", Role.MEMBER),
            ("tariq", Role.TECHNICAL_OFFICER),
        ],
    },
    {
        "key": "legal-2",
        "theme": "legal-constitutional",
        "predecessor": "legal-1",
        "name_ar": "مجموعة العمل التخصصية للقضايا القانونية والدستورية",
        "name_en": "Legal and constitutional issues working group",
        "description_ar": (
            "تناقش المجموعة المبادئ الدستورية وضمانات الحقوق والحريات في أي تسوية سياسية وفق القرار 2254."
        ),
        "description_en": (
            "The group discusses constitutional principles and the guarantees of rights and freedoms "
            "in any political settlement under resolution 2254."
        ),
        "start_days": -45,
        "length_days": 105,
        "status": Space.Status.ACTIVE,
        "meeting_url": "https://meet.cssr.invalid/legal",
        "people": [
            ("layla", Role.RAPPORTEUR),
            ("khaled", Role.RAPPORTEUR),
            ("omar", Role.MEMBER),
            ("rania", Role.MEMBER),
            ("huda", Role.MEMBER),
            ("fadi", Role.MEMBER),
            ("salma", Role.MEMBER),
            ("ahmad", Role.MEMBER),
            ("tariq", Role.TECHNICAL_OFFICER),
            ("nadia", Role.POLITICAL_OFFICER),
        ],
        "locked": ["ahmad"],
    },
    {
        "key": "civic-2",
        "theme": "civil-society-space",
        "name_ar": "مجموعة العمل التخصصية لمساحة المجتمع المدني والقيم المدنية",
        "name_en": "Civil society space and civic values working group",
        "description_ar": "تعمل المجموعة على حماية مساحة عمل المجتمع المدني داخل سوريا وخارجها.",
        "description_en": (
            "The group works on protecting the space for civil society inside and outside Syria."
        ),
        "start_days": -30,
        "length_days": 100,
        "status": Space.Status.ACTIVE,
        "meeting_url": "https://meet.cssr.invalid/civic",
        "people": [
            ("yusuf", Role.MEMBER),
            ("dima", Role.MEMBER),
            ("samir", Role.MEMBER),
            ("huda", Role.MEMBER),
            ("omar", Role.MEMBER),
            ("fadi", Role.MEMBER),
            ("tariq", Role.TECHNICAL_OFFICER),
            ("nadia", Role.POLITICAL_OFFICER),
        ],
    },
    {
        "key": "wab-shared",
        "kind": Space.Kind.SHARED,
        "name_ar": "المساحة المشتركة مع المجلس الاستشاري النسائي",
        "name_en": "Shared space with the Women's Advisory Board",
        "description_ar": "مساحة تجمع أعضاء من مجموعات العمل التخصصية مع عضوات المجلس الاستشاري النسائي.",
        "description_en": (
            "A space where members of the working groups meet members of the Women's Advisory Board."
        ),
        "start_days": -20,
        "length_days": 120,
        "status": Space.Status.ACTIVE,
        "people": [
            ("maryam", Role.MEMBER),
            ("layla", Role.MEMBER),
            ("rania", Role.MEMBER),
            ("salma", Role.MEMBER),
            ("dima", Role.MEMBER),
            ("tariq", Role.TECHNICAL_OFFICER),
            ("nadia", Role.POLITICAL_OFFICER),
        ],
    },
]


def load(*, context):
    users = context["accounts"]
    ops = users["ops"]
    today = timezone.localdate()
    spaces = {}
    for spec in SPACES:
        space = Space.objects.filter(name_ar=spec["name_ar"]).first()
        if space is None:
            start = today + timedelta(days=spec["start_days"])
            space = services.space_create(
                actor=ops,
                kind=spec.get("kind", Space.Kind.WORKING_GROUP),
                theme=Theme.objects.filter(slug=spec.get("theme", "")).first(),
                name=spec["name_ar"],
                name_ar=spec["name_ar"],
                name_en=spec["name_en"],
                description=spec["description_ar"],
                description_ar=spec["description_ar"],
                description_en=spec["description_en"],
                cycle_start=start,
                cycle_end=start + timedelta(days=spec["length_days"]),
                status=Space.Status.ACTIVE,
                meeting_url=spec.get("meeting_url", ""),
                predecessor=spaces.get(spec.get("predecessor")),
            )
            for username, role in spec["people"]:
                membership = services.membership_add(actor=ops, space=space, user=users[username], role=role)
                if username in spec.get("locked", []):
                    services.membership_lock(actor=None, membership=membership, reason="demo: inactivity")
            if spec["status"] != Space.Status.ACTIVE:
                services.space_set_status(actor=ops, space=space, status=spec["status"])
        spaces[spec["key"]] = space
    Membership.objects.filter(space__in=spaces.values(), last_contribution_at__isnull=True).update(
        last_contribution_at=timezone.now()
    )
    _load_election(spaces["civic-2"], users)
    _load_discussions(spaces["legal-2"], users)
    _load_requests(users)
    _load_inactivity(spaces, users)
    demo_questionnaires.load(spaces=spaces, users=users)
    return spaces


def _load_inactivity(spaces, users):
    """The lockout at work: Ahmad (locked) asks to come back; Fadi has gone quiet and is warned."""
    locked = Membership.objects.get(space=spaces["legal-2"], user=users["ahmad"])
    if locked.state == Membership.State.LOCKED:
        services.reinstatement_request(
            actor=users["ahmad"],
            membership=locked,
            message="كنت مسافرًا خلال الأسابيع الماضية، وأرغب في العودة إلى النقاش.",
        )
    quiet = Membership.objects.get(space=spaces["civic-2"], user=users["fadi"])
    if (
        quiet.state == Membership.State.ACTIVE
        and not quiet.events.filter(action=MembershipEvent.Action.WARNED).exists()
    ):
        period = quiet.space.inactivity_days - quiet.space.warning_days
        Membership.objects.filter(pk=quiet.pk).update(
            last_contribution_at=timezone.now() - timedelta(days=period + 1)
        )
        services.inactivity_run()


def _load_election(space, users):
    """The civic group is electing its rapporteurs: voting is open, two candidates, one pending."""
    if Election.objects.filter(space=space).exists():
        return
    now = timezone.now()
    election = Election.objects.create(
        space=space,
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=6),
        created_at=now - timedelta(days=8),
    )
    yusuf, dima, omar, samir = (users[name] for name in ("yusuf", "dima", "omar", "samir"))
    candidates = [
        Nomination.objects.create(
            election=election, nominee=yusuf, nominated_by=yusuf, accepted_at=now - timedelta(days=7)
        ),
        Nomination.objects.create(
            election=election, nominee=dima, nominated_by=omar, accepted_at=now - timedelta(days=5)
        ),
    ]
    Nomination.objects.create(election=election, nominee=samir, nominated_by=dima)
    for voter, nomination, slot in [
        (omar, candidates[1], 1),
        (samir, candidates[0], 1),
        (samir, candidates[1], 2),
    ]:
        Vote.objects.create(election=election, voter=voter, nomination=nomination, slot=slot)


def _load_requests(users):
    """A participant in no group proposes a new group."""
    nour = users["nour"]
    # Nour's expression of interest is answered through the questionnaire (demo_questionnaires).
    if not GroupProposal.objects.filter(proposer=nour).exists():
        GroupProposal.objects.create(
            proposer=nour,
            title="مجموعة عمل حول السكن والأراضي والممتلكات",
            rationale=(
                "قضايا السكن والأراضي والممتلكات أساسية لعودة اللاجئين والنازحين وتحتاج إلى نقاش متخصص."
            ),
            theme=Theme.objects.get(slug="protection"),
        )


def _load_discussions(space, users):
    """The legal group at work: discussions, concerns with endorsements, its agenda, one report."""
    if Thread.objects.filter(space=space).exists():
        return
    layla, khaled, omar, rania, huda, fadi, salma = (
        users[name] for name in ("layla", "khaled", "omar", "rania", "huda", "fadi", "salma")
    )
    principles = services.thread_create(
        actor=layla,
        space=space,
        title="المبادئ الدستورية الأساسية",
        body="أقترح أن نبدأ بحصر المبادئ التي يتفق عليها السوريون على اختلافهم:\n\n"
        "1. المواطنة المتساوية\n2. سيادة القانون\n3. الفصل بين السلطات\n\nما الذي ينقص هذه القائمة؟",
    )
    first_reply = services.post_create(
        actor=omar,
        thread=principles,
        body="أضيف **اللامركزية الإدارية**، فهي مطلب واضح في المناطق التي عملت فيها المجالس المحلية.",
    )
    services.post_create(
        actor=rania,
        thread=principles,
        quote_of=first_reply,
        body="أتفق مع @omar، مع ضرورة ضمانات لعدم تحولها إلى تقسيم فعلي.",
    )
    services.post_create(
        actor=khaled, thread=principles, body="سأجمع هذه المداخلات في ورقة موجزة قبل اجتماعنا القادم."
    )
    services.thread_set_pinned(actor=khaled, thread=principles, pinned=True)
    detainees = services.thread_create(
        actor=salma,
        space=space,
        title="ملف المعتقلين والمفقودين في أي تسوية",
        body="لا يمكن الحديث عن بيئة آمنة ومحايدة دون معالجة ملف المعتقلين والمفقودين. كيف نصوغ ذلك؟",
    )
    reported = services.post_create(
        actor=fadi, thread=detainees, body="هذا النقاش مضيعة للوقت ولا فائدة منه!"
    )
    services.post_report(actor=huda, post=reported, reason="لا تحترم المداخلة أسلوب الحوار المدني.")

    housing = services.concern_propose(
        actor=huda,
        space=space,
        title="حقوق السكن والأراضي والملكية",
        description="ضياع الوثائق العقارية ونقل الملكيات أثناء النزاع يهدد حق العودة.",
        tags=["ملكية", "عودة"],
        regions=["homs", "rif_dimashq", "aleppo"],
    )
    detention = services.concern_propose(
        actor=salma,
        space=space,
        title="الكشف عن مصير المفقودين",
        description="آلية مستقلة للكشف عن مصير المفقودين وإبلاغ العائلات.",
        tags=["عدالة انتقالية"],
        regions=["damascus", "daraa", "idlib"],
    )
    services.concern_propose(
        actor=omar,
        space=space,
        title="تمثيل المجالس المحلية في الحوار الدستوري",
        description="ضمان صوت المجالس المحلية المنتخبة في النقاشات الدستورية.",
        tags=["حوكمة محلية"],
        regions=["idlib", "aleppo"],
    )
    for user in (layla, omar, rania, fadi):
        services.concern_endorse(actor=user, concern=detention)
    for user in (rania, khaled):
        services.concern_endorse(actor=user, concern=housing)
    services.concern_set_status(actor=khaled, concern=detention, status="agreed", priority=3)
    services.concern_set_status(actor=khaled, concern=housing, status="under_discussion", priority=2)

    item = services.agenda_item_propose(
        actor=layla, space=space, title="حصر المبادئ الدستورية المتفق عليها", threads=[principles]
    )
    services.agenda_item_update(actor=khaled, item=item, status="in_discussion")
    second = services.agenda_item_propose(
        actor=salma,
        space=space,
        title="صياغة فقرة عن المعتقلين والمفقودين",
        threads=[detainees],
        concerns=[detention],
    )
    services.agenda_item_update(actor=layla, item=second, status="planned")
    services.agenda_item_propose(actor=omar, space=space, title="دعوة خبير في اللامركزية إلى أحد الاجتماعات")
