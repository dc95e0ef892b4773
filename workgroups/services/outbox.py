"""The outbox: every e-mail of the platform, sent by one sender that survives crashes.

Whatever causes an e-mail (a job, an invitation, a staff decision, allauth's account mails) writes it
(`outbox_add`) in the transaction that records what it did, so a rollback sends nothing and a worker
killed in the middle rolls both back and the next run does the work again: nothing lost, nothing
doubled. Jobs run the sender when they are done; a request calls `outbox_send_soon`, which queues it
once the transaction commits; and a periodic run picks up anything left.

`outbox_send` claims pending rows (committed, so two senders never take the same row), sends each
and marks it sent at once. A sender killed while sending leaves rows claimed but
unsent; they are claimed again after `CSSR_OUTBOX_CLAIM_TIMEOUT` seconds, so at most the e-mail in
flight at the moment of the crash can go out twice. (Marks are committed without waiting for
PostgreSQL's disk write, see `_mark`: only a crash of the database server itself could lose the
last fraction of a second's marks and repeat those e-mails.) A failing mail server is logged, the
row is given back and tried again by the next run, up to `CSSR_OUTBOX_MAX_ATTEMPTS` times.

Sent e-mails are deleted after `CSSR_OUTBOX_KEEP_DAYS` days; the text of those that hold a secret link
or code (`OutgoingEmail.SECRET_KINDS`: invitations, allauth's mails) is blanked as soon as they are
sent, keeping only who, what kind, the subject and when for support questions.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import OutgoingEmail

logger = logging.getLogger(__name__)
SEND_BATCH = 200


def outbox_add(messages):
    """Queue written e-mails: an iterable of (to, kind, {"subject", "body", "html"}), `to` being a user
    (the e-mail goes to their address of the moment, if they are still active) or an e-mail address
    (someone without an account). Written in the caller's transaction. Returns how many. On PostgreSQL
    the rows stream in through COPY (a digest run writes tens of thousands)."""
    now = timezone.now()
    rows = (
        (
            *_addressee(to),
            kind,
            written["subject"][:255],
            written["body"],
            written.get("html", ""),
            now,
            0,
            "",
        )
        for to, kind, written in messages
    )
    columns = (
        "recipient_id",
        "address",
        "kind",
        "subject",
        "body",
        "html",
        "created_at",
        "attempts",
        "last_error",
    )
    if connection.vendor != "postgresql":
        created = OutgoingEmail.objects.bulk_create(
            [OutgoingEmail(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000
        )
        return len(created)
    count, started = 0, time.monotonic()
    quote = connection.ops.quote_name
    sql = f"COPY {quote(OutgoingEmail._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    if connection.queries_logged:  # COPY bypasses Django's cursor wrapper; count it like any query
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return count


def _addressee(to):
    if isinstance(to, str):
        if not to.strip():
            raise ValueError("an e-mail needs an address")
        return None, to.strip()
    return to.pk, ""


def outbox_send_soon():
    """Have the sender run as soon as the caller's transaction commits (a Celery task; if it cannot be
    queued, the periodic run sends the e-mail a minute later)."""
    transaction.on_commit(_queue_send, robust=True)


def _queue_send():
    from ..tasks import send_outbox

    send_outbox.delay()


def _pending(now):
    stale = now - timedelta(seconds=settings.CSSR_OUTBOX_CLAIM_TIMEOUT)
    return OutgoingEmail.objects.filter(
        sent_at__isnull=True, attempts__lt=settings.CSSR_OUTBOX_MAX_ATTEMPTS
    ).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))


def outbox_send(*, now=None, batch_size=SEND_BATCH):
    """Send every pending e-mail, a claimed batch at a time. Returns how many were sent."""
    sent, after = 0, 0
    while True:
        claimed_at = now or timezone.now()
        with transaction.atomic():
            ids = list(
                _pending(claimed_at)
                .filter(pk__gt=after)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            OutgoingEmail.objects.filter(pk__in=ids).update(claimed_at=claimed_at, attempts=F("attempts") + 1)
        after = ids[-1]  # forward through the outbox: a failure is retried by the next run, not this one
        rows = OutgoingEmail.objects.filter(pk__in=ids).select_related("recipient")
        connection = get_connection()
        try:
            for row in rows:
                sent += _send_one(row, connection)
        finally:
            connection.close()
    _forget_old()
    return sent


def _send_one(row, connection):
    if row.recipient is not None and (not row.recipient.is_active or not row.recipient.email):
        _mark(row, sent_at=timezone.now(), last_error="recipient inactive", **_forgotten(row))
        return 0
    address = row.recipient.email if row.recipient is not None else row.address
    message = EmailMultiAlternatives(
        row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    try:
        message.send()
    except Exception as error:
        logger.exception("e-mail %s (%s) failed; the next run tries again", row.pk, row.kind)
        _mark(row, claimed_at=None, last_error=str(error)[:255])
        return 0
    _mark(row, sent_at=timezone.now(), last_error="", **_forgotten(row))
    return 1


def _forgotten(row):
    """The text of a sent e-mail that holds a secret link or code is not kept."""
    return {"body": "", "html": ""} if row.holds_secret else {}


def _mark(row, **values):
    """Record what became of one e-mail at once, in its own transaction. On PostgreSQL that commit
    does not wait for the disk (`synchronous_commit` off for it alone): a per-e-mail disk wait would
    (about 2 ms) would bound the sender, and a killed worker loses nothing by it. Inside a caller's
    transaction the caller's commit decides, so nothing is changed there."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutgoingEmail.objects.filter(pk=row.pk).update(**values)


def _forget_old():
    """Sent e-mails are kept a few days for support questions, then deleted (they hold titles)."""
    OutgoingEmail.objects.filter(
        sent_at__lt=timezone.now() - timedelta(days=settings.CSSR_OUTBOX_KEEP_DAYS)
    ).delete()
