"""Choice lists for profile fields. Private ones (gender, age band, region) are read only by staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    WOMAN = "woman", pgettext_lazy("gender", "Woman")
    MAN = "man", pgettext_lazy("gender", "Man")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", _("Under 25")
    FROM_25_TO_34 = "25_34", _("25–34")
    FROM_35_TO_44 = "35_44", _("35–44")
    FROM_45_TO_54 = "45_54", _("45–54")
    FROM_55 = "55_plus", _("55 and over")


class Region(models.TextChoices):
    """Where a participant lives: the fourteen governorates of Syria, or abroad (see country)."""

    DAMASCUS = "damascus", _("Damascus")
    RIF_DIMASHQ = "rif_dimashq", _("Rif Dimashq")
    ALEPPO = "aleppo", _("Aleppo")
    HOMS = "homs", _("Homs")
    HAMA = "hama", _("Hama")
    LATAKIA = "latakia", _("Latakia")
    TARTUS = "tartus", _("Tartus")
    IDLIB = "idlib", _("Idlib")
    RAQQA = "raqqa", _("Raqqa")
    DEIR_EZ_ZOR = "deir_ez_zor", _("Deir ez-Zor")
    HASAKAH = "hasakah", _("Al-Hasakah")
    DARAA = "daraa", _("Daraa")
    SUWAYDA = "suwayda", _("As-Suwayda")
    QUNEITRA = "quneitra", _("Quneitra")
    ABROAD = "abroad", _("Outside Syria")


class Country(models.TextChoices):
    """Countries of residence for participants outside Syria (the diaspora's main host countries)."""

    TURKIYE = "TR", _("Türkiye")
    LEBANON = "LB", _("Lebanon")
    JORDAN = "JO", _("Jordan")
    IRAQ = "IQ", _("Iraq")
    EGYPT = "EG", _("Egypt")
    GERMANY = "DE", _("Germany")
    FRANCE = "FR", _("France")
    SWEDEN = "SE", _("Sweden")
    NETHERLANDS = "NL", _("Netherlands")
    UNITED_KINGDOM = "GB", _("United Kingdom")
    SWITZERLAND = "CH", _("Switzerland")
    GULF = "GULF", _("A Gulf state")
    OTHER = "OTHER", _("Another country")
