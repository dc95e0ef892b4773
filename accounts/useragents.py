"""What a person needs to recognise a session: the browser's family and the system it runs on.

A small parser of the user-agent families people actually use, with no dependency: the platform keeps
only this reduction ("Chrome · Android"), never the raw header, whose version numbers and device
models say more about a person than they need to know about their own sessions.

Order matters: Edge, Opera, Yandex and Samsung Internet also say "Chrome" and "Safari"; Chrome and
Firefox on iOS say "Safari"; Android says "Linux". Since iPadOS 13 an iPad asks for desktop pages as a
Mac, so it reads as macOS (its header cannot tell them apart).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# (name, pattern) in the order they are tried.
BROWSERS = (
    ("Edge", re.compile(r"\b(?:Edg|EdgA|EdgiOS|Edge)/")),
    ("Opera", re.compile(r"\b(?:OPR|OPT|OPiOS|Opera)[/ ]|\bOpera Mini\b")),
    ("Yandex Browser", re.compile(r"\b(?:YaBrowser|YaSearchBrowser)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|Chromium|HeadlessChrome)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+ .*\bSafari/")),
)
SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("iPadOS", re.compile(r"\biPad\b")),
    ("iOS", re.compile(r"\b(?:iPhone|iPod)\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b|\bUbuntu\b|\bFedora\b")),
)
BROWSER_NAMES = frozenset(name for name, _pattern in BROWSERS)
SYSTEM_NAMES = frozenset(name for name, _pattern in SYSTEMS)
APPLE_SYSTEMS = frozenset({"iOS", "iPadOS", "macOS"})
UNKNOWN = "?"
SEPARATOR = " · "


@dataclass(frozen=True)
class Agent:
    browser: str  # one of BROWSER_NAMES, or "" when not recognised
    system: str  # one of SYSTEM_NAMES, or ""

    @property
    def reduced(self):
        """The form that is stored: "Chrome · Android", "? · Linux"."""
        return f"{self.browser or UNKNOWN}{SEPARATOR}{self.system or UNKNOWN}"

    @property
    def label(self):
        """What a person reads, in the active language: "Chrome on Android"."""
        if self.browser and self.system:
            return _("%(browser)s on %(system)s") % {"browser": self.browser, "system": self.system}
        if self.browser:
            return self.browser
        if self.system:
            return _("A browser on %(system)s") % {"system": self.system}
        return _("An unknown browser")


def _first(table, text):
    return next((name for name, pattern in table if pattern.search(text)), "")


def parse(user_agent):
    """The Agent of a raw User-Agent header (or of a stored reduced form, which parses to itself)."""
    text = (user_agent or "")[:1000]
    browser, separator, system = text.partition(SEPARATOR)
    if separator and browser in BROWSER_NAMES | {UNKNOWN} and system in SYSTEM_NAMES | {UNKNOWN}:
        return Agent(
            browser="" if browser == UNKNOWN else browser, system="" if system == UNKNOWN else system
        )
    browser, system = _first(BROWSERS, text), _first(SYSTEMS, text)
    if browser == "Safari" and system not in APPLE_SYSTEMS:
        browser = ""  # old Android and embedded browsers say "Safari" too
    return Agent(browser=browser, system=system)


def reduce(user_agent):
    """The stored form of a raw header: browser family and system, nothing else."""
    return parse(user_agent).reduced


def label(user_agent):
    """The readable label of a raw header or a stored reduced form."""
    return parse(user_agent).label
