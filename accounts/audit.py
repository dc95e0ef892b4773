"""The append-only audit trail: one function writes it, nothing updates or deletes it.

`record` is called by the services (and the few interfaces that are themselves the audited act:
exports, downloads, admin views of message bodies) inside the transaction of what they record, so a
rolled-back act leaves no line and a recorded act always has one.
"""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent
from .network import client_ip, network_of

Action = AuditEvent.Action


def record(*, actor, action, target=None, space=None, request=None, label="", **details):
    """Append one event. `actor` may be None (a scheduled job); `target` any model instance;
    `space` a Space or its id; `request` gives the (truncated) address of the actor."""
    target_type = target_id = ""
    if target is not None:
        target_type = ContentType.objects.get_for_model(type(target)).natural_key()
        target_type, target_id = ".".join(target_type), str(target.pk)
        label = label or str(target)
    space_id = getattr(space, "pk", space)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=Action(action),
        target_type=target_type,
        target_id=target_id,
        target_label=str(label)[:200],
        space_id=space_id,
        address=network_of(client_ip(request)) if request is not None else "",
        details=details,
    )
