from django.db import migrations
from django.utils import timezone

EXPERTISE = [
    ("law", "القانون والدستور", "Law and constitution"),
    ("elections", "الانتخابات والحوكمة", "Elections and governance"),
    ("human-rights", "حقوق الإنسان والعدالة الانتقالية", "Human rights and transitional justice"),
    ("humanitarian", "الاستجابة الإنسانية والحماية", "Humanitarian response and protection"),
    ("economy", "الاقتصاد والتنمية", "Economy and development"),
    ("gender", "حقوق المرأة والنوع الاجتماعي", "Women's rights and gender"),
    ("media", "الإعلام والتواصل", "Media and communication"),
    ("peacebuilding", "بناء السلام والحوار", "Peacebuilding and dialogue"),
    ("education", "التعليم", "Education"),
    ("health", "الصحة", "Health"),
    ("local-governance", "الحوكمة المحلية", "Local governance"),
]

CONDUCT_TITLE_AR = "مدونة قواعد السلوك لمجموعات العمل التخصصية"
CONDUCT_TITLE_EN = "Code of conduct of the Thematic Working Groups"
CONDUCT_AR = """يلتزم المشاركون والمشاركات في مجموعات العمل التخصصية بهذه المدونة طوال مشاركتهم في المنصة.

الاحترام المتبادل: نتعامل مع جميع الزملاء والزميلات باحترام، ونناقش الأفكار لا الأشخاص.

عدم التمييز: لا مكان لأي تمييز على أساس الجنس أو الدين أو الطائفة أو القومية أو الانتماء السياسي أو المنطقة أو أي أساس آخر.

عدم الإسناد: لا ننسب أي مساهمة في مجموعات العمل إلى صاحبها خارج المجموعة، ولا تذكر النواتج اسم أي مؤلف أو مشارك.

الحوار المدني: نحرص على حوار بنّاء يخدم البحث عن حل سياسي دائم وفق قرار مجلس الأمن 2254 (2015).

السرية والأمان: اسم المستخدم وكلمة المرور شخصيان ولا يجوز مشاركتهما مع أي شخص آخر.

يكفل المسؤول الفني لكل مجموعة التقيد بهذه المدونة عند الطلب، ويمكن الإبلاغ عن أي مساهمة تخالفها."""
CONDUCT_EN = """Participants in the Thematic Working Groups commit to this code throughout their participation in the platform.

Mutual respect: we treat every colleague with respect and discuss ideas, not persons.

Non-discrimination: there is no place for discrimination on grounds of sex, religion, sect, ethnicity, political affiliation, region or any other ground.

Non-attribution: we never attribute a contribution made in a working group to its author outside the group, and outputs name no author or participant.

Civil dialogue: we keep the dialogue constructive, in the search for a lasting political solution in line with Security Council resolution 2254 (2015).

Confidentiality and safety: usernames and passwords are personal and must not be shared with anyone.

Each group's technical officer ensures that this code is respected when asked, and any contribution that breaks it can be reported."""


def seed(apps, schema_editor):
    Area = apps.get_model("accounts", "ExpertiseArea")
    for slug, name_ar, name_en in EXPERTISE:
        Area.objects.update_or_create(slug=slug, defaults={"name": name_ar, "name_ar": name_ar, "name_en": name_en})
    Conduct = apps.get_model("accounts", "CodeOfConduct")
    if not Conduct.objects.exists():
        Conduct.objects.create(
            version=1, title=CONDUCT_TITLE_AR, title_ar=CONDUCT_TITLE_AR, title_en=CONDUCT_TITLE_EN,
            body=CONDUCT_AR, body_ar=CONDUCT_AR, body_en=CONDUCT_EN, published_at=timezone.now(),
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "ExpertiseArea").objects.filter(slug__in=[slug for slug, *_ in EXPERTISE]).delete()
    apps.get_model("accounts", "CodeOfConduct").objects.filter(version=1, acceptances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
