"""The balance report: who takes part, by gender, age, region and expertise, counts under three hidden."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.choices import AgeBand, Gender, Region
from accounts.models import ExpertiseArea, User
from cssr import disclosure
from workgroups import access
from workgroups.models import (
    Membership,
    Space,
)


def _distribution(users, field, choices, total):
    counts = {
        row[field]: row["n"] for row in users.values(field).annotate(n=Count("pk", distinct=True)).order_by()
    }
    rows = []
    for value, label in choices:
        rows.append(_balance_row(label, counts.pop(value, 0), total))
    unknown = sum(counts.values())
    if unknown:
        rows.append(_balance_row(_("Not recorded"), unknown, total))
    return disclosure.protect_group(rows)


def _balance_row(label, count, total):
    return {"label": label, **disclosure.cell(count, total)}


def balance_report_spaces(*, space=None):
    """The spaces the balance report covers: `space` alone, or every active space (lazy)."""
    if space is not None:
        return Space.objects.filter(pk=space.pk)
    return Space.objects.filter(status=Space.Status.ACTIVE)


def balance_report(*, spaces):
    """Counts and shares of the participants (members and rapporteurs) of `spaces` by gender, age
    band, region and expertise. A constant number of queries whatever the number of members."""
    users = User.objects.filter(
        memberships__space__in=spaces,
        memberships__state__in=Membership.ENTERING_STATES,
        memberships__role__in=access.ELECTOR_ROLES,
    ).distinct()
    total = users.count()
    user_ids = users.values("pk")
    base = User.objects.filter(pk__in=user_ids)
    areas = ExpertiseArea.objects.annotate(
        n=Count("users", filter=Q(users__in=user_ids), distinct=True)
    ).order_by("name")
    return {
        "total": total,
        "dimensions": [
            {
                "key": "gender",
                "title": _("Gender"),
                "rows": _distribution(base, "gender", Gender.choices, total),
            },
            {
                "key": "age_band",
                "title": _("Age"),
                "rows": _distribution(base, "age_band", AgeBand.choices, total),
            },
            {
                "key": "region",
                "title": _("Region"),
                "rows": _distribution(base, "region", Region.choices, total),
            },
            {
                "key": "expertise",
                "title": _("Expertise (a person may have several)"),
                "rows": disclosure.protect_group([_balance_row(area.name, area.n, total) for area in areas]),
            },
        ],
    }
