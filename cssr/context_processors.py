from django.conf import settings


def shell(request):
    """What the base layout needs on every page: languages for the switcher, the current path."""
    return {
        "available_languages": settings.LANGUAGES,
        "current_path": request.get_full_path(),
    }
