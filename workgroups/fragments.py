"""Parts of pages that look the same to every viewer, rendered once and kept in the cache.

A fragment is cached (the template's `{% cache %}` tag, in the default cache) under a version that every
change to what it shows replaces. The versions live in the store every process shares
(`accounts.liveness.shared_cache`: Redis, or files under VAR_DIR in the embedded default), so a change
made in one web process or in the Celery worker reaches the copies every process keeps. A version is
replaced when the change is made and again once it commits: a page rendered from the data as it was
before the commit was kept under a version no page asks for any more. A kept fragment also expires
after `KEEP_SECONDS`, whatever happens (a database restored from a backup, a change made in SQL).

- **The members of a space**, as its home page lists them (`members_version`): a membership created,
  changed (a role, a state) or deleted, and a member's name, title or anonymisation (signals, below);
  the inactivity job, which locks memberships with one UPDATE that no signal sees, calls
  `members_changed` itself.
"""

import uuid

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from accounts.liveness import shared_cache, write_now_and_on_commit

KEEP_SECONDS = 3600
_MEMBERS_KEY = "fragments:space-members:{}"
# A user's save that changes nothing a member list shows (every sign-in writes last_login)
_UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def members_version(space_id):
    """The current version of `space_id`'s member list (made on first use)."""
    store, key = shared_cache(), _MEMBERS_KEY.format(space_id)
    version = store.get(key)
    if version is None:
        version = uuid.uuid4().hex
        if not store.add(key, version, timeout=None):  # another process made it first
            version = store.get(key, version)
    return version


def members_changed(space_ids):
    """The member lists of these spaces changed: new versions now and once the change commits. A store
    that is down does not stop the change: the kept lists then expire after `KEEP_SECONDS`."""
    keys = [_MEMBERS_KEY.format(space_id) for space_id in dict.fromkeys(space_ids) if space_id is not None]
    if keys:
        write_now_and_on_commit(
            lambda: shared_cache().set_many({key: uuid.uuid4().hex for key in keys}, timeout=None),
            robust=True,
        )


def _on_membership_changed(sender, instance, **kwargs):
    members_changed([instance.space_id])


def _on_user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= _UNSHOWN_USER_FIELDS):
        return
    members_changed(instance.memberships.values_list("space_id", flat=True))


def connect():
    from workgroups.models import Membership

    post_save.connect(_on_membership_changed, sender=Membership, dispatch_uid="fragments-membership-saved")
    post_delete.connect(
        _on_membership_changed, sender=Membership, dispatch_uid="fragments-membership-deleted"
    )
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="fragments-user-saved")
