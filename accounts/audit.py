"""The append-only audit trail: one function writes it, nothing updates or deletes it.

`record` is called by the services (and the few interfaces that are themselves the audited act:
exports, downloads, admin views of message bodies) inside the transaction of what they record, so a
rolled-back act leaves no line and a recorded act always has one. Scheduled jobs that act on many
rows at once write their lines set-based (`workgroups.services.inactivity`).

The address kept is the actor's network, truncated (`accounts.network.network_of`). Services do not
carry the request: `AuditRequestMiddleware` remembers the request being served, and `record` takes
the address from it when the actor is the person who sent it.
"""

import contextvars

from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from .models import AuditEvent
from .network import client_ip, network_of

Action = AuditEvent.Action

_current_request = contextvars.ContextVar("cssr_audit_request", default=None)


class AuditRequestMiddleware:
    """Remember the request being served, so that a service deep below the view can record where its
    actor acted from without every service taking the request as an argument."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _address(actor, request):
    if request is None:
        request = _current_request.get()
        user = getattr(request, "user", None) if request is not None else None
        # Only the actor's own request says where they are (not, say, a job run inside it).
        if user is None or actor is None or getattr(user, "pk", None) != actor.pk:
            return ""
    return network_of(client_ip(request))


def target_type_of(model):
    """How a target's kind is written in the trail: "app_label.model" (e.g. "workgroups.membership")."""
    return ".".join(ContentType.objects.get_for_model(model).natural_key())


def record(*, actor, action, target=None, space=None, request=None, label="", **details):
    """Append one event. `actor` may be None (a scheduled job); `target` any model instance;
    `space` a Space or its id; `request` gives the (truncated) address of the actor, which is
    otherwise taken from the request being served when the actor sent it."""
    actor = actor if getattr(actor, "pk", None) else None
    target_type = target_id = ""
    if target is not None:
        target_type, target_id = target_type_of(type(target)), str(target.pk)
        label = label or str(target)
    space_id = getattr(space, "pk", space)
    return AuditEvent.objects.create(
        actor=actor,
        action=Action(action),
        target_type=target_type,
        target_id=target_id,
        target_label=str(label)[:200],
        space_id=space_id,
        address=_address(actor, request),
        details=details,
    )


@receiver(user_logged_in, dispatch_uid="accounts.audit.staff_sign_in")
def staff_signed_in(sender, request, user, **kwargs):
    """Every sign-in of an operations staff account. Django's signal is the one both allauth's
    sign-in (after its two-factor stage) and any other login path send, once per sign-in."""
    if user.is_staff:
        record(actor=user, action=Action.STAFF_SIGN_IN, target=user, request=request, label=user.username)
