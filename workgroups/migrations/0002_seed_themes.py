from django.db import migrations

THEMES = [
    ("legal-constitutional", "القضايا القانونية/ الدستورية", "Legal and constitutional issues"),
    ("electoral", "القضايا الانتخابية", "Electoral issues"),
    ("civil-society-space", "مساحة المجتمع المدني/ القيم المدنية", "Civil society space and civic values"),
    ("protection", "أولويات الحماية بالنسبة إلى السوريين، في إطار إنساني",
     "Protection priorities for Syrians, in a humanitarian frame"),
    ("economic-recovery", "التعافي الاقتصادي والمنظورات الإنمائية", "Economic recovery and development perspectives"),
    ("governance", "الحوكمة والعلاقة بين المواطنين والدولة", "Governance and citizen–state relations"),
    ("human-rights-violations", "كيفية التصدي لانتهاكات حقوق الإنسان التي ارتكبت أثناء الصراع",
     "Addressing human-rights violations committed during the conflict"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("workgroups", "Theme")
    for position, (slug, name_ar, name_en) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            slug=slug, defaults={"name": name_ar, "name_ar": name_ar, "name_en": name_en, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("workgroups", "Theme").objects.filter(slug__in=[slug for slug, *_ in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("workgroups", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
