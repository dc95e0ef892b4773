"""Demo questionnaires for `make run`: Nour's expression of interest answered through the editable
questionnaire, and the legal group's anonymous needs survey with thirty answers from across Syria and
the diaspora, its free-text answers sorted into themes, one theme turned into a concern.
Loading twice changes nothing."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import CodeOfConduct, ConductAcceptance, User

from . import services
from .models import AnswerTheme, ExpressionOfInterest, Membership, Question, Questionnaire, Role, Theme
from .services.questionnaires import interest_questionnaire

SURVEY_TITLE = "أولويات المجتمعات المحلية واحتياجاتها"

# Participants of the regional consultations who joined the legal group: username, name, title, region,
# country.
CONSULTATION_PEOPLE = [
    ("abeer", "عبير الحلبي", "ناشطة في الإغاثة – حلب", "aleppo", ""),
    ("bassam", "بسام العمر", "محامٍ – دير الزور", "deir_ez_zor", ""),
    ("ghada", "غادة الشامي", "معلمة – ريف دمشق", "rif_dimashq", ""),
    ("hassan", "حسان الزعبي", "مهندس مدني – درعا", "daraa", ""),
    ("iman", "إيمان السقا", "طبيبة – إدلب", "idlib", ""),
    ("jamal", "جمال العبد الله", "باحث اقتصادي – الرقة", "raqqa", ""),
    ("kinda", "كندة المصري", "منسقة مشاريع – اللاذقية", "latakia", ""),
    ("lina", "لينا عيسى", "صحفية – طرطوس", "tartus", ""),
    ("mahmoud", "محمود الحمصي", "مدرّب في المجالس المحلية – حمص", "homs", ""),
    ("nizar", "نزار الخوري", "ناشط حقوقي – حماة", "hama", ""),
    ("ola", "علا الجبلي", "مرشدة اجتماعية – السويداء", "suwayda", ""),
    ("rami", "رامي الكردي", "ناشط شبابي – الحسكة", "hasakah", ""),
    ("sawsan", "سوسن الأيوبي", "محامية – القنيطرة", "quneitra", ""),
    ("waleed", "وليد الدمشقي", "أستاذ جامعي – دمشق", "damascus", ""),
    ("zeina", "زينة الأتاسي", "عاملة في منظمة لاجئين – إسطنبول", "abroad", "TR"),
    ("fares", "فارس البيطار", "مستشار قانوني – بيروت", "abroad", "LB"),
    ("hala", "هالة النابلسي", "مدرّسة – عمّان", "abroad", "JO"),
    ("anas", "أنس الراوي", "ناشط مدني – أربيل", "abroad", "IQ"),
    ("reem", "ريم العطار", "باحثة – القاهرة", "abroad", "EG"),
    ("tamer", "تامر حداد", "مهندس – برلين", "abroad", "DE"),
    ("noura", "نورة الصباغ", "منسقة مبادرة نسوية – غازي عنتاب", "abroad", "TR"),
]

# What the consultations heard: the most urgent need (option index), the obstacles, how heard they
# feel (1–5), the ranking, and the need to carry to the Office of the Special Envoy.
ANSWERS = [
    (0, [0, 2], 2, [1, 0, 2, 3], "ضياع سندات الملكية يمنع العائلات من العودة إلى بيوتها في الأحياء المدمرة."),
    (1, [1], 3, [0, 1, 2, 3], "آلاف الأطفال بلا قيود مدنية، ولا يستطيعون التسجيل في المدارس."),
    (5, [0, 4], 1, [0, 2, 1, 3], "نريد معرفة مصير المعتقلين والمفقودين قبل أي حديث عن المصالحة."),
    (2, [1, 3], 2, [3, 1, 0, 2], "المدارس مكتظة وتحتاج إلى ترميم ومعلمين مدرَّبين."),
    (4, [1], 3, [3, 0, 1, 2], "الشباب بلا فرص عمل، والهجرة هي الخيار الوحيد أمامهم."),
    (3, [1, 3], 2, [3, 0, 2, 1], "انقطاع الكهرباء ساعات طويلة يوقف المشافي والورش الصغيرة."),
    (0, [2], 2, [1, 0, 3, 2], "عقود الإيجار والملكية التي ضاعت في النزوح تحتاج إلى آلية توثيق مستقلة."),
    (5, [0], 1, [0, 1, 2, 3], "الخوف من الاعتقال عند الحواجز يمنع الناس من التنقل والمشاركة."),
    (1, [2, 3], 3, [1, 0, 2, 3], "استخراج الوثائق المدنية مكلف ويتطلب موافقات أمنية."),
    (2, [1], 4, [2, 0, 1, 3], "التعليم عن بعد ساعد في المخيمات، لكنه يحتاج إلى الإنترنت والكهرباء."),
    (4, [1, 4], 2, [3, 1, 0, 2], "سبل العيش أولوية: الزراعة متوقفة بسبب غلاء الوقود والبذار."),
    (3, [3], 3, [3, 2, 0, 1], "مياه الشرب غير صالحة في عدة قرى، والمنظمات لا تصل إليها."),
    (0, [0, 2], 2, [1, 0, 2, 3], "البيوت المصادرة يجب أن تعود لأصحابها بضمانات قانونية."),
    (5, [0, 4], 1, [0, 2, 3, 1], "لا عودة آمنة دون ضمانات بعدم الملاحقة الأمنية."),
    (1, [2], 2, [1, 0, 2, 3], "النساء يواجهن صعوبة خاصة في إثبات الزواج والحضانة دون وثائق."),
    (2, [1, 3], 3, [2, 3, 0, 1], "نحتاج إلى مناهج تعترف بتجربة الأطفال وتعالج آثار الحرب النفسية."),
    (4, [1], 3, [3, 0, 1, 2], "القروض الصغيرة للنساء أعادت الحياة إلى أسواق محلية، ويجب توسيعها."),
    (3, [4], 4, [3, 1, 2, 0], "الخدمات الأساسية من كهرباء ومياه يجب أن تكون خارج التجاذب السياسي."),
    (0, [2, 3], 2, [1, 0, 3, 2], "السجل العقاري احترق في منطقتنا، ولا نعرف كيف نثبت ملكيتنا."),
    (5, [0], 1, [0, 1, 2, 3], "المفقودون ملف إنساني أولًا، والعائلات تنتظر منذ سنوات."),
    (1, [2], 3, [1, 2, 0, 3], "اللاجئون في دول الجوار لا يستطيعون تجديد جوازاتهم أو تسجيل مواليدهم."),
    (2, [1], 3, [2, 1, 0, 3], "المنح الجامعية للسوريين في الخارج تراجعت كثيرًا."),
    (4, [1, 3], 2, [3, 0, 2, 1], "إعادة الإعمار يجب أن تبدأ من المجتمعات المحلية وتوفر فرص عمل لأبنائها."),
    (3, [1], 2, [3, 0, 1, 2], "المراكز الصحية في الريف بلا أدوية للأمراض المزمنة."),
    (0, [0, 2], 1, [1, 0, 2, 3], "قوانين الملكية الجديدة تهدد حقوق الغائبين والنازحين."),
    (5, [0, 4], 2, [0, 2, 1, 3], "نطلب إشراك عائلات المفقودين في أي آلية للكشف عن مصيرهم."),
    (1, [2], 3, [1, 0, 3, 2], "توحيد الاعتراف بالوثائق الصادرة في مناطق السيطرة المختلفة ضرورة عاجلة."),
    (2, [3], 4, [2, 0, 1, 3], "الشهادات الصادرة في الشمال لا يُعترف بها، فيضيع مستقبل الطلاب."),
    (4, [1], 3, [3, 1, 0, 2], "التحويلات من المغتربين هي مصدر الدخل الوحيد لكثير من العائلات."),
    (3, [1, 3], 2, [3, 0, 1, 2], "الكهرباء والمياه شرط لأي عودة، قبل الحديث عن السكن."),
]

THEMES = {
    "الوثائق والملكية": ("ملكي", "سند", "وثائق", "عقار", "قيود", "جواز", "إثبات", "الإيجار"),
    "المعتقلون والمفقودون": ("المعتقلين", "المفقود", "الاعتقال", "الملاحقة"),
    "الخدمات الأساسية": ("الكهرباء", "مياه", "المراكز الصحية", "المشافي"),
    "التعليم": ("المدارس", "التعليم", "الطلاب", "الجامعية", "مناهج"),
}


def load(*, spaces, users):
    _load_interest(users)
    _load_needs_survey(spaces["legal-2"], users)


def _load_interest(users):
    """Nour asks to join the governance group by answering the expression-of-interest questionnaire."""
    nour = users["nour"]
    if ExpressionOfInterest.objects.filter(user=nour).exists() or interest_questionnaire() is None:
        return
    questions = {question.key: question for question in interest_questionnaire().questions.all()}
    answers = {
        "expertise": "خبرة عشر سنوات في المجالس المحلية وتنظيم الخدمات البلدية.",
        "motivation": "أرغب في المساهمة في نقاش العلاقة بين المواطنين والدولة على المستوى المحلي.",
        "civic_activity": "مؤسس مبادرة مدنية للتخطيط العمراني في اللاذقية.",
        "declares_syrian": True,
        "declares_civic_work": True,
        "declares_no_affiliation": True,
    }
    services.interest_submit_answers(
        actor=nour,
        theme=Theme.objects.get(slug="governance"),
        values={questions[key]: value for key, value in answers.items() if key in questions},
    )


def _consultation_members(space, users):
    """The regional consultations' participants, members of the legal group."""
    conduct = CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()
    people = []
    for username, name, title, region, country in CONSULTATION_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@demo.cssr.invalid",
                "display_name": name,
                "title": title,
                "region": region,
                "country_of_residence": country,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if conduct is not None:
            ConductAcceptance.objects.get_or_create(user=user, conduct=conduct)
        if not Membership.objects.filter(user=user, space=space).exists():
            services.membership_add(actor=users["ops"], space=space, user=user, role=Role.MEMBER)
        people.append(user)
    return people


def _load_needs_survey(space, users):
    if Questionnaire.objects.filter(space=space, title_ar=SURVEY_TITLE).exists():
        return
    people = _consultation_members(space, users)
    layla = users["layla"]
    survey = services.questionnaire_create(
        actor=layla,
        space=space,
        title_ar=SURVEY_TITLE,
        title_en="Priorities and needs of local communities",
        intro_ar=(
            "يجمع هذا الاستبيان ما سمعناه في المشاورات الإقليمية لنبني عليه مذكرة الإحاطة. "
            "إجاباتك مجهولة الهوية."
        ),
        intro_en=(
            "This questionnaire gathers what we heard in the regional consultations, for our briefing note. "
            "Your answers are anonymous."
        ),
        audience=Questionnaire.Audience.ALL,
        is_anonymous=True,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=20),
    )
    add = lambda **fields: services.question_add(actor=layla, questionnaire=survey, **fields)  # noqa: E731
    region = add(text_ar="أين تقيم حاليًا؟", text_en="Where do you live now?", kind=Question.Kind.REGION)
    urgent = add(
        text_ar="ما القطاع الأكثر إلحاحًا في منطقتك؟",
        text_en="Which sector is most urgent where you live?",
        kind=Question.Kind.SINGLE,
        options=[
            ("السكن والأراضي والممتلكات", "Housing, land and property"),
            ("الوثائق المدنية", "Civil documents"),
            ("التعليم", "Education"),
            ("الصحة والخدمات الأساسية", "Health and basic services"),
            ("سبل العيش", "Livelihoods"),
            ("الأمان وحرية التنقل", "Safety and freedom of movement"),
        ],
    )
    obstacles = add(
        text_ar="ما العوائق التي تواجه عمل المجتمع المدني في منطقتك؟",
        text_en="What holds civil society back where you live?",
        kind=Question.Kind.MULTIPLE,
        options=[
            ("القيود الأمنية", "Security restrictions"),
            ("نقص التمويل", "Lack of funding"),
            ("صعوبة التسجيل القانوني", "Hard legal registration"),
            ("ضعف التواصل مع السلطات المحلية", "Weak contact with local authorities"),
            ("الاستقطاب المجتمعي", "Polarisation"),
        ],
    )
    heard = add(
        text_ar="إلى أي حد تشعر بأن صوتك مسموع في العملية السياسية؟",
        text_en="How far do you feel heard in the political process?",
        kind=Question.Kind.SCALE,
        help_text_ar="1: غير مسموع إطلاقًا، 5: مسموع تمامًا",
        help_text_en="1: not at all, 5: fully",
    )
    ranking = add(
        text_ar="رتّب هذه الأولويات",
        text_en="Rank these priorities",
        kind=Question.Kind.RANKING,
        options=[
            ("ملف المعتقلين والمفقودين", "Detainees and the missing"),
            ("العودة الآمنة للاجئين والنازحين", "Safe return"),
            ("الإصلاح الدستوري", "Constitutional reform"),
            ("إعادة الإعمار والخدمات", "Reconstruction and services"),
        ],
    )
    need = add(
        text_ar="ما الحاجة الأهم التي تريد أن تنقلها المجموعة إلى مكتب المبعوث الخاص؟",
        text_en="What need should the group carry to the Office of the Special Envoy?",
        kind=Question.Kind.LONG_TEXT,
    )
    services.questionnaire_publish(actor=layla, questionnaire=survey)

    respondents = [
        users[name]
        for name in ("khaled", "omar", "rania", "huda", "fadi", "salma", "nadia", "layla", "tariq")
    ] + people
    regions = {option.code: option for option in region.options.all()}
    urgent_options, obstacle_options = list(urgent.options.all()), list(obstacles.options.all())
    ranking_options = list(ranking.options.all())
    for user, (most_urgent, blocked, feeling, order, text) in zip(respondents, ANSWERS, strict=False):
        place = (
            user.region
            if user.region and user.region != "abroad"
            else (user.country_of_residence or "damascus")
        )
        services.submission_save(
            actor=user,
            questionnaire=survey,
            submit=True,
            values={
                region: regions[place],
                urgent: urgent_options[most_urgent],
                obstacles: [obstacle_options[i] for i in blocked],
                heard: feeling,
                ranking: [ranking_options[i] for i in order],
                need: text,
            },
        )
    for name, words in THEMES.items():
        ids = [answer.pk for answer in need.answers.all() if any(word in answer.text for word in words)]
        if ids:
            services.answer_theme_tag(actor=layla, questionnaire=survey, answer_ids=ids, name=name)
    services.answer_theme_to_concern(
        actor=layla, theme=AnswerTheme.objects.get(questionnaire=survey, name="الخدمات الأساسية")
    )
