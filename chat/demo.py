"""Demo chat for `make run`: the space conversations of the legal, civic and shared spaces, a
rapporteurs' group conversation, one-to-one conversations (one with the operations support team) and
a message reported to the technical officer. Loading twice changes nothing."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from . import services
from .models import Message, Participant

LEGAL = [
    ("layla", "صباح الخير جميعاً. أقترح أن نخصص اجتماع الخميس لمناقشة المبادئ الدستورية الأساسية.", None),
    ("omar", "صباح النور. أوافق، ويمكن أن نبدأ بمبدأ فصل السلطات واستقلال القضاء.", None),
    ("rania", "أرجو أن نضيف ضمانات المساءلة عن الانتهاكات، فهي مطلب أساسي للضحايا وعائلاتهم.", 1),
    ("huda", "هل يمكن مشاركة مسودة الورقة السابقة قبل الاجتماع؟ لم أتمكن من الوصول إليها.", None),
    ("khaled", "سأرفعها إلى مكتبة المستندات اليوم، وسأضع رابطها هنا.", 3),
    (
        "salma",
        "من المهم أن نراعي تمثيل النساء في أي هيئة دستورية مقترحة، بنسبة لا تقل عن ثلاثين بالمئة.",
        None,
    ),
    ("omar", "نقطة مهمة يا سلمى. أقترح أن ندرجها في جدول الأعمال كبند مستقل.", 5),
    ("layla", "تم. أضفتها إلى جدول الأعمال، وسنصوّت على الصياغة النهائية الأسبوع القادم.", None),
]
CIVIC = [
    ("yusuf", "مرحباً بالجميع. ما أبرز العوائق التي تواجه تسجيل الجمعيات في مناطقكم؟", None),
    ("dima", "في مناطقنا، الإجراءات الأمنية المطوّلة هي العائق الأكبر، وقد تستغرق أشهراً.", 0),
    ("samir", "ونضيف صعوبة فتح الحسابات المصرفية للمنظمات الصغيرة بسبب القيود المالية.", 0),
    ("huda", "أقترح أن نجمع هذه العوائق في قضية واحدة ونرتّبها حسب الأولوية.", None),
]
SHARED = [
    ("maryam", "أهلاً بزميلاتنا وزملائنا من مجموعات العمل. يسعدنا هذا اللقاء المشترك.", None),
    ("layla", "شكراً لكِ يا مريم. نتطلع إلى ملاحظات المجلس حول مسودة المبادئ الدستورية.", 0),
    ("dima", "هل يمكن تحديد موعد لجلسة مشتركة عبر غرفة الاجتماعات الشهر القادم؟", None),
]
RAPPORTEURS = [
    ("layla", "خالد، هل ننتهي من ترتيب بنود جدول الأعمال قبل مساء الأربعاء؟", None),
    ("khaled", "نعم، سأرسل لكِ الترتيب المقترح غداً صباحاً.", 0),
]
SUPPORT = [
    ("omar", "مرحباً، لا أستطيع فتح غرفة الاجتماعات من هاتفي. هل من حل؟", None),
    ("ops", "أهلاً عمر. جرّب فتح الرابط من المتصفح بدلاً من التطبيق، وإن استمرت المشكلة أرسل لنا لقطة شاشة.", 0),
    ("omar", "نجح الأمر من المتصفح. شكراً جزيلاً!", None),
]
PRIVATE = [
    ("rania", "هدى، هل تودين أن نعدّ معاً مداخلة عن العدالة الانتقالية؟", None),
    ("huda", "بكل سرور. لنتحدث بعد اجتماع الخميس.", 0),
]


def _write(conversation, users, lines, *, start_hours_ago):
    """Send the lines through the service (saved, counted as contributions), then spread their times
    over the past hours so the history reads like a real one."""
    sent = []
    for username, body, reply_index in lines:
        reply_to = sent[reply_index].pk if reply_index is not None else None
        sent.append(
            services.message_send(
                actor=users[username], conversation=conversation, body=body, reply_to_id=reply_to
            )
        )
    now = timezone.now()
    step = timedelta(hours=start_hours_ago) / max(len(sent), 1)
    for index, message in enumerate(sent):
        Message.objects.filter(pk=message.pk).update(
            created_at=now - timedelta(hours=start_hours_ago) + step * index
        )
    return sent


def load(*, context):
    users, spaces = context["accounts"], context["workgroups"]
    legal = services.space_conversation_get_or_create(space=spaces["legal-2"])
    if legal.messages.exists():
        return {"legal": legal}
    # Sent through the service, so the rate limit applies; the demo writes more at once than people do.
    with override_settings(CSSR_CHAT_RATE_MESSAGES=1000):
        legal_messages = _write(legal, users, LEGAL, start_hours_ago=30)
        services.message_edit(
            actor=users["omar"],
            message=legal_messages[6],
            body="نقطة مهمة يا سلمى. أقترح أن ندرجها في جدول الأعمال بنداً مستقلاً.",
        )
        civic = services.space_conversation_get_or_create(space=spaces["civic-2"])
        _write(civic, users, CIVIC, start_hours_ago=8)
        shared = services.space_conversation_get_or_create(space=spaces["wab-shared"])
        _write(shared, users, SHARED, start_hours_ago=5)

        group = services.group_conversation_create(
            actor=users["layla"],
            space=spaces["legal-2"],
            title="المقرران: تنسيق جدول الأعمال",
            members=[users["khaled"]],
        )
        _write(group, users, RAPPORTEURS, start_hours_ago=3)
        support = services.direct_conversation_open(actor=users["omar"], other=users["ops"])
        _write(support, users, SUPPORT, start_hours_ago=2)
        private = services.direct_conversation_open(actor=users["rania"], other=users["huda"])
        _write(private, users, PRIVATE, start_hours_ago=1)

    # Everyone's read markers: most have read the space chat up to a point; huda hides hers.
    for username in (
        "layla",
        "khaled",
        "omar",
        "rania",
        "huda",
        "fadi",
        "salma",
        "tariq",
        "nadia",
        "yusuf",
        "dima",
        "samir",
        "maryam",
    ):
        services.participants_ensure(user=users[username])
    Participant.objects.filter(conversation=legal, user__username__in=["omar", "rania"]).update(
        last_read_message_id=legal_messages[4].pk
    )
    Participant.objects.filter(conversation=legal, user__username="huda").update(hide_read_marker=True)
    Participant.objects.filter(conversation=legal, user__username__in=["fadi", "nadia"]).update(
        last_read_message_id=legal_messages[1].pk
    )
    services.unread_recount(Participant.objects.filter(conversation=legal))  # the markers moved above
    reported = _write(
        civic,
        users,
        [("samir", "هذا الكلام لا يستحق النقاش، أصحابه لا يفهمون شيئاً.", None)],
        start_hours_ago=1,
    )[0]
    services.message_report(
        actor=users["dima"], message=reported, reason="لغة مسيئة تخالف مدونة قواعد السلوك"
    )
    return {"legal": legal, "group": group, "support": support}
