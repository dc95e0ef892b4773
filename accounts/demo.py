"""Demo accounts for `make run`: Arabic-named people of every role. Loading twice changes nothing.

Never loaded in production: `load_demo` refuses to run there (DJANGO_DEBUG=0) unless forced.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from .models import CodeOfConduct, ConductAcceptance, ExpertiseArea, User

DEMO_PASSWORD = "cssr-demo-2026"  # noqa: S105 (demo data only; load_demo refuses production)
# Staff, officers and rapporteurs must use two-factor authentication (accounts/two_factor.py): these
# demo accounts have it on with these secrets, so `make totp` (`manage.py demo_totp`) can print their
# current codes for a newcomer without an authenticator app. Rania is a rapporteur of the concluded
# first cohort (workgroups/demo.py).
DEMO_TOTP_SECRETS = {  # noqa: S105 (demo data only; load_demo refuses production)
    "ops": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "layla": "7W5OTM2HBXQZWNLQV3D5KHV37XBXXOVN",
    "khaled": "SF5VNW43GNGS3Y3CUTBVOOXOATUYVJHC",
    "rania": "EGZDX5MKWU4YOQORMIWB6EDZHUMUQKYV",
    "tariq": "BDU43RBWFJ6OO6BUFU3ZC27XWDOXFYXC",
    "nadia": "FIKKDGC24JCX6X4UABMFTX2G27HO2RB4",
}

# username, display name, title, role hint, gender, age band, region, country, expertise slugs
PEOPLE = [
    ("ops", "فريق الدعم التشغيلي", "مكتب المبعوث الخاص – العمليات", "staff", "", "", "", "", []),
    (
        "layla",
        "ليلى حداد",
        "محامية، منظمة نسوية – غازي عنتاب",
        "rapporteur",
        "woman",
        "35_44",
        "abroad",
        "TR",
        ["law", "gender"],
    ),
    (
        "omar",
        "عمر الخطيب",
        "ناشط في الحوكمة المحلية – إدلب",
        "member",
        "man",
        "25_34",
        "idlib",
        "",
        ["local-governance"],
    ),
    (
        "rania",
        "رانيا العلي",
        "باحثة في العدالة الانتقالية – برلين",
        "member",
        "woman",
        "25_34",
        "abroad",
        "DE",
        ["human-rights"],
    ),
    (
        "khaled",
        "خالد الأحمد",
        "أستاذ قانون دستوري – دمشق",
        "rapporteur",
        "man",
        "55_plus",
        "damascus",
        "",
        ["law"],
    ),
    (
        "huda",
        "هدى السيد",
        "منسقة مبادرة شبابية – حمص",
        "member",
        "woman",
        "under_25",
        "homs",
        "",
        ["education", "peacebuilding"],
    ),
    ("yusuf", "يوسف درويش", "صحفي – القامشلي", "member", "man", "35_44", "hasakah", "", ["media"]),
    (
        "maryam",
        "مريم حسن",
        "عضوة في المجلس الاستشاري النسائي",
        "member",
        "woman",
        "45_54",
        "abroad",
        "LB",
        ["gender", "peacebuilding"],
    ),
    ("samir", "سمير النجار", "اقتصادي – عمّان", "member", "man", "45_54", "abroad", "JO", ["economy"]),
    (
        "dima",
        "ديما قاسم",
        "عاملة في الحماية الإنسانية – حلب",
        "member",
        "woman",
        "25_34",
        "aleppo",
        "",
        ["humanitarian"],
    ),
    ("fadi", "فادي منصور", "ناشط مدني – السويداء", "member", "man", "35_44", "suwayda", "", ["elections"]),
    (
        "salma",
        "سلمى يوسف",
        "مدافعة عن حقوق الإنسان – درعا",
        "member",
        "woman",
        "35_44",
        "daraa",
        "",
        ["human-rights"],
    ),
    (
        "tariq",
        "طارق عبد الله",
        "المسؤول الفني – فريق غرفة دعم المجتمع المدني",
        "technical_officer",
        "",
        "",
        "",
        "",
        [],
    ),
    ("nadia", "نادية فرح", "المسؤولة السياسية – مكتب المبعوث الخاص", "political_officer", "", "", "", "", []),
    (
        "nour",
        "نور الدين سليمان",
        "مهندس، مبادرة مدنية – اللاذقية",
        "outsider",
        "man",
        "25_34",
        "latakia",
        "",
        ["local-governance"],
    ),
    (
        "ahmad",
        "أحمد بكري",
        "ناشط في مجال التعليم – الرقة",
        "locked",
        "man",
        "25_34",
        "raqqa",
        "",
        ["education"],
    ),
]


def load():
    """Create or refresh the demo accounts; returns {username: User}."""
    areas = {area.slug: area for area in ExpertiseArea.objects.all()}
    conduct = CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()
    users = {}
    for username, name, title, role, gender, age, region, country, expertise in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@demo.cssr.invalid",
                "display_name": name,
                "title": title,
                "gender": gender,
                "age_band": age,
                "region": region,
                "country_of_residence": country,
                "is_staff": role == "staff",
                "is_superuser": role == "staff",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.expertise_areas.set([areas[slug] for slug in expertise if slug in areas])
        if conduct is not None and role not in {"staff", "outsider"}:
            ConductAcceptance.objects.get_or_create(user=user, conduct=conduct)
        users[username] = user
    for username, secret in DEMO_TOTP_SECRETS.items():
        user = users[username]
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
            RecoveryCodes.activate(user)
    return users
