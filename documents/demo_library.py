"""Demo content of the document library: Arabic documents (a PDF in two versions, a workshop photo, a
text), a translation request, and a document of the concluded first cohort in the knowledge archive.
Loading twice changes nothing."""

import io
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from documents.models import ArchiveEntry, Document, TranslationRequest
from documents.services import library as services

PRINCIPLES = [
    "تؤكد المجموعة أن أي دستور جديد يجب أن يضمن المساواة التامة بين جميع المواطنين والمواطنات دون تمييز.",
    "الفصل بين السلطات واستقلال القضاء ضمانتان أساسيتان لحماية الحقوق والحريات.",
    "تدعو المجموعة إلى مشاركة واسعة للمجتمع المدني في صياغة الدستور ومناقشته قبل إقراره.",
]
PRINCIPLES_V2 = PRINCIPLES + [
    "أضيفت بعد نقاش الأسبوع الثالث: ضمان حق اللاجئين والنازحين في المشاركة في الاستفتاء على الدستور.",
]
BRIEFING = [
    "خلاصة عمل الدورة الأولى لمجموعة العمل التخصصية للقضايا القانونية والدستورية.",
    "مجالات الاتفاق: سيادة القانون، واستقلال القضاء، وضمان الحقوق الأساسية في نص الدستور.",
    "الآراء المتباينة: شكل نظام الحكم، وتوزيع الصلاحيات بين المركز والإدارات المحلية.",
]
MINUTES = """محضر الاجتماع الافتراضي الأول

الحضور: أعضاء المجموعة والمقرران والمسؤول الفني.
جدول الأعمال:
١. التعارف وتوزيع الأدوار.
٢. مناقشة ورقة المبادئ الدستورية.
٣. الاتفاق على موعد الاجتماع القادم.

القرارات: يرسل الأعضاء ملاحظاتهم على الورقة خلال أسبوع.
"""
CIVIC_NOTE = """ملاحظات حول القيود على تسجيل الجمعيات

- صعوبة الحصول على الموافقات الأمنية.
- غياب إطار قانوني واضح للمنظمات العاملة في الشمال.
- الحاجة إلى آلية لحماية العاملين في المجال المدني.
"""


def _pdf(title, paragraphs):
    from weasyprint import HTML  # slow to load and needs the system's Pango: only when a PDF is made

    font = settings.BASE_DIR / "static" / "vendor" / "fonts" / "ibm-plex-sans-arabic-400.woff2"
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    html = (
        '<html lang="ar" dir="rtl"><head><style>'
        f'@font-face {{ font-family: Plex; src: url("{font.as_uri()}"); }}'
        f"body {{ font-family: Plex; font-size: 13pt; line-height: 1.7; }} h1 {{ font-size: 18pt; }}</style>"
        f"</head><body><h1>{title}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def _photo():
    """A picture of a workshop board, drawn (a real photo would carry EXIF; the upload strips it)."""
    image = Image.new("RGB", (960, 640), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 880, 520), fill=(255, 255, 255), outline=(60, 80, 110), width=6)
    for row, color in enumerate([(214, 69, 65), (46, 134, 193), (39, 174, 96), (243, 156, 18)]):
        top = 130 + row * 95
        draw.rectangle((130, top, 130 + 180 + row * 120, top + 55), fill=color)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def _upload(name, data, content_type):
    return SimpleUploadedFile(name, data, content_type=content_type)


def load(*, context):
    users = context["accounts"]
    spaces = context["workgroups"]
    legal, civic, earlier = spaces["legal-2"], spaces["civic-2"], spaces["legal-1"]
    loaded = {}

    principles = Document.objects.filter(space=legal, title="ورقة المبادئ الدستورية").first()
    if principles is None:
        principles = services.document_create(
            actor=users["layla"],
            space=legal,
            title="ورقة المبادئ الدستورية",
            description="مسودة أولى للمبادئ التي تقترحها المجموعة، للنقاش قبل الاجتماع الثاني.",
            folder="أوراق العمل",
            tags=["دستور", "حقوق وحريات"],
            language="ar",
            upload=_upload(
                "ورقة المبادئ الدستورية.pdf", _pdf("ورقة المبادئ الدستورية", PRINCIPLES), "application/pdf"
            ),
        )
        services.document_version_add(
            actor=users["khaled"],
            document=principles,
            note="إضافة مبدأ مشاركة اللاجئين والنازحين",
            language="ar",
            upload=_upload(
                "ورقة المبادئ الدستورية - معدلة.pdf",
                _pdf("ورقة المبادئ الدستورية", PRINCIPLES_V2),
                "application/pdf",
            ),
        )
        services.translation_request_create(
            actor=users["omar"],
            version=principles.current_version,
            target_language="en",
            note="للمشاركة مع الخبراء المدعوين إلى الاجتماع القادم.",
        )
    loaded["principles"] = principles

    if not Document.objects.filter(space=legal, title="صورة لوحة ورشة العمل").exists():
        services.document_create(
            actor=users["huda"],
            space=legal,
            title="صورة لوحة ورشة العمل",
            folder="صور",
            tags=["ورشة عمل"],
            upload=_upload("لوحة الورشة.jpg", _photo(), "image/jpeg"),
        )
    if not Document.objects.filter(space=legal, title="محضر الاجتماع الأول").exists():
        services.document_create(
            actor=users["khaled"],
            space=legal,
            title="محضر الاجتماع الأول",
            folder="محاضر الاجتماعات",
            tags=["اجتماعات"],
            language="ar",
            upload=_upload("محضر الاجتماع الأول.txt", MINUTES.encode("utf-8"), "text/plain"),
        )
    if not Document.objects.filter(space=civic, title="ملاحظات حول تسجيل الجمعيات").exists():
        services.document_create(
            actor=users["yusuf"],
            space=civic,
            title="ملاحظات حول تسجيل الجمعيات",
            tags=["تسجيل", "قوانين"],
            language="ar",
            upload=_upload("ملاحظات التسجيل.txt", CIVIC_NOTE.encode("utf-8"), "text/plain"),
        )

    briefing = Document.objects.filter(space=earlier, title="مذكرة الإحاطة – الدورة الأولى").first()
    if briefing is None:
        briefing = services.document_add_to_concluded_space(
            actor=users["ops"],
            space=earlier,
            title="مذكرة الإحاطة – الدورة الأولى",
            description="مذكرة الإحاطة التي أرسلتها الدورة الأولى إلى مكتب المبعوث الخاص.",
            folder="المخرجات",
            tags=["مذكرة الإحاطة"],
            language="ar",
            uploaded_at=earlier.cycle_end - timedelta(days=3),
            upload=_upload(
                "مذكرة الإحاطة.pdf", _pdf("مذكرة الإحاطة – الدورة الأولى", BRIEFING), "application/pdf"
            ),
        )
    if not ArchiveEntry.objects.filter(version__document=briefing).exists():
        services.archive_publish_document(
            actor=users["ops"],
            document=briefing,
            title_en="Briefing note – first cohort",
            summary_en=(
                "The briefing note the first cohort of the legal and constitutional working group sent to "
                "the Office of the Special Envoy: areas of agreement and divergent views."
            ),
        )
    loaded["archived"] = briefing
    loaded["translation_requests"] = TranslationRequest.objects.filter(version__document=principles).count()
    return loaded
