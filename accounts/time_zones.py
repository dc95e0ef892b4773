"""Time zones as people choose them: the places participants live named in the reader's language first,
then every other zone by its standard identifier."""

import zoneinfo

from django.utils.translation import gettext_lazy as _

# Where participants live, Syria and its neighbours first: zone -> (city, country).
NAMED_TIME_ZONES = {
    "Asia/Damascus": (_("Damascus"), _("Syria")),
    "Europe/Istanbul": (_("Istanbul"), _("Türkiye")),
    "Asia/Beirut": (_("Beirut"), _("Lebanon")),
    "Asia/Amman": (_("Amman"), _("Jordan")),
    "Asia/Baghdad": (_("Baghdad"), _("Iraq")),
    "Africa/Cairo": (_("Cairo"), _("Egypt")),
    "Asia/Riyadh": (_("Riyadh"), _("Saudi Arabia")),
    "Asia/Qatar": (_("Doha"), _("Qatar")),
    "Asia/Dubai": (_("Dubai"), _("United Arab Emirates")),
    "Asia/Kuwait": (_("Kuwait"), _("Kuwait")),
    "Asia/Nicosia": (_("Nicosia"), _("Cyprus")),
    "Europe/Athens": (_("Athens"), _("Greece")),
    "Europe/Berlin": (_("Berlin"), _("Germany")),
    "Europe/Vienna": (_("Vienna"), _("Austria")),
    "Europe/Zurich": (_("Zurich"), _("Switzerland")),
    "Europe/Paris": (_("Paris"), _("France")),
    "Europe/Brussels": (_("Brussels"), _("Belgium")),
    "Europe/Amsterdam": (_("Amsterdam"), _("Netherlands")),
    "Europe/Copenhagen": (_("Copenhagen"), _("Denmark")),
    "Europe/Oslo": (_("Oslo"), _("Norway")),
    "Europe/Stockholm": (_("Stockholm"), _("Sweden")),
    "Europe/Helsinki": (_("Helsinki"), _("Finland")),
    "Europe/Madrid": (_("Madrid"), _("Spain")),
    "Europe/Rome": (_("Rome"), _("Italy")),
    "Europe/London": (_("London"), _("United Kingdom")),
    "Europe/Dublin": (_("Dublin"), _("Ireland")),
    "America/New_York": (_("New York"), _("United States")),
    "America/Chicago": (_("Chicago"), _("United States")),
    "America/Los_Angeles": (_("Los Angeles"), _("United States")),
    "America/Toronto": (_("Toronto"), _("Canada")),
    "America/Sao_Paulo": (_("São Paulo"), _("Brazil")),
    "Australia/Sydney": (_("Sydney"), _("Australia")),
}
CITY_IN_COUNTRY = _("%(city)s (%(country)s)")


def time_zone_label(zone):
    """A zone's name in the active language («دمشق (سوريا)»), or its standard identifier, readable."""
    if zone == "UTC":
        return str(_("Coordinated Universal Time (UTC)"))
    if zone in NAMED_TIME_ZONES:
        city, country = NAMED_TIME_ZONES[zone]
        return str(CITY_IN_COUNTRY) % {"city": city, "country": country}
    return zone.replace("_", " ")


def time_zone_choices():
    """Every time zone there is: the named ones first, then the others by identifier."""
    named = [*NAMED_TIME_ZONES, "UTC"]
    others = sorted(zoneinfo.available_timezones() - set(named))
    return [
        (_("Where participants live"), [(zone, time_zone_label(zone)) for zone in named]),
        (_("Other time zones"), [(zone, time_zone_label(zone)) for zone in others]),
    ]
