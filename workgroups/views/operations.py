"""Pages for operations staff on the site (besides admin): the balance report."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import audit
from cssr import exports
from cssr.params import int_param
from workgroups import access, selectors


def _scope(request):
    """The spaces the report covers: one space (?space=<id>) or every active space."""
    access.check_operations(request.user)
    space_id = int_param(request.GET, "space")
    space = None
    if space_id is not None:
        space = access.access_space_for_operations(request.user, space_id)
    return space, selectors.balance_report_spaces(space=space)


@require_GET
def balance_report(request):
    space, spaces = _scope(request)
    return render(
        request,
        "workgroups/balance_report.html",
        {
            "space": space,
            "report": selectors.balance_report(spaces=spaces),
            "spaces": selectors.active_space_list(),
        },
    )


@require_GET
def balance_export(request):
    space, spaces = _scope(request)
    report = selectors.balance_report(spaces=spaces)
    header = [_("Dimension"), _("Category"), _("Count"), _("Share (%)")]
    rows = [
        [dimension["title"], row["label"], row["display"], row["percent"]]
        for dimension in report["dimensions"]
        for row in dimension["rows"]
    ]
    rows.append([_("Participants"), "", report["total"], 100 if report["total"] else None])
    response = exports.csv_response(
        name=f"balance-{space.pk if space else 'all'}-{timezone.localdate():%Y%m%d}", header=header, rows=rows
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=space,
        space=space,
        request=request,
        label="" if space else "balance report",
        export="balance",
        format="csv",
    )
    return response
