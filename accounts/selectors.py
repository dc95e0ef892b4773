"""Reads about accounts used by other modules."""

from django.core.cache import cache

from .models import CodeOfConduct, ConductAcceptance

CURRENT_CONDUCT_CACHE_KEY = "accounts:current-conduct-id"
_NONE = 0  # cached when no version is published yet


def conduct_current():
    """The code-of-conduct version in force (the newest published one), or None."""
    return CodeOfConduct.objects.filter(published_at__isnull=False).order_by("-version").first()


def conduct_current_id():
    """The id of the version in force, cached; `services.conduct_publish` clears the cache."""
    cached = cache.get(CURRENT_CONDUCT_CACHE_KEY)
    if cached is None:
        current = conduct_current()
        cached = current.pk if current else _NONE
        cache.set(CURRENT_CONDUCT_CACHE_KEY, cached, 300)
    return cached or None


def conduct_has_accepted(*, user, conduct_id):
    return ConductAcceptance.objects.filter(user=user, conduct_id=conduct_id).exists()
