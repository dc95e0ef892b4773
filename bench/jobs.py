"""Benchmark of the scheduled jobs on PostgreSQL: inactivity lockout and digests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/jobs.py

Creates a throw-away database, fills it with 100,000 memberships in 200 active spaces and
1,000,000 contributions (generated in SQL), then measures each job beside a floor: the same
selection done as one bare SQL statement, in the same run, so the ratio shows what the job adds.
Prints a table; drops the database at the end.
"""

import os
import resource
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# BENCH_SCALE=0.1 runs a tenth of the data (a quick look while working; docs/performance.md's figures use 1).
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SPACES, USERS, MEMBERSHIPS, CONTRIBUTIONS = (int(n * SCALE) for n in (200, 50_000, 100_000, 1_000_000))


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there).")
    import psycopg

    server, _, _ = base.rpartition("/")
    name = f"cssr_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cssr.settings")
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _peak_rss_reset():
    """Reset the kernel's high-water mark of this process's resident memory (Linux: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function):
    """Seconds and the process's peak resident memory during `function` (no tracing: it would slow it)."""
    _peak_rss_reset()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    return result, seconds, _peak_rss_mb()


def run():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tests import factories
    from workgroups import services
    from workgroups.models import Space

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    spaces = [factories.make_space(name=f"مساحة {i}") for i in range(SPACES)]
    ids = [space.pk for space in spaces]
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                   is_staff, is_active, date_joined, display_name, title, preferred_language, time_zone,
                   gender, age_band, region, country_of_residence)
               SELECT '!', false, 'u' || g, '', '', 'u' || g || '@bench.invalid', false, true, now(),
                      'مشارك ' || g, '', CASE WHEN g %% 3 = 0 THEN 'en' ELSE 'ar' END, 'Asia/Damascus',
                      '', '', '', ''
               FROM generate_series(1, %s) g""",
            [USERS],
        )
        # Each user in two spaces; last contributions spread over 0–45 days, so some are warned or locked.
        cursor.execute(
            """INSERT INTO workgroups_membership (user_id, space_id, role, state, joined_at, state_changed_at,
                   last_contribution_at)
               SELECT u.id, (%s::bigint[])[1 + ((u.id * 7 + k) %% %s)], 'member', 'active',
                      now() - interval '60 days', now(),
                      now() - ((u.id * 13 + k * 17) %% 45) * interval '1 day'
               FROM accounts_user u CROSS JOIN generate_series(0, 1) k WHERE u.username LIKE 'u%%'""",
            [ids, SPACES],
        )
        cursor.execute(
            """INSERT INTO accounts_user_groups (user_id, group_id)
               SELECT m.user_id, g.id FROM workgroups_membership m
               JOIN auth_group g ON g.name = 'space:' || m.space_id || ':member'"""
        )
        cursor.execute(
            """INSERT INTO workgroups_contribution (user_id, space_id, kind, created_at)
               SELECT m.user_id, m.space_id, 'post', now() - (g %% 60) * interval '1 day'
               FROM generate_series(1, %s) g
               JOIN workgroups_membership m ON m.id = 1 + (g %% %s)""",
            [CONTRIBUTIONS, MEMBERSHIPS],
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM workgroups_membership")
        memberships = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM workgroups_contribution")
        contributions = cursor.fetchone()[0]
    print(
        f"generated {memberships:,} memberships, {contributions:,} contributions "
        f"in {time.perf_counter() - started:.1f} s"
    )

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FROM workgroups_membership m JOIN workgroups_space s ON s.id = m.space_id
                   WHERE s.status = 'active' AND m.state IN ('active', 'warned') AND m.role = 'member'
                   AND COALESCE(m.last_contribution_at, m.joined_at)
                       <= now() - (s.inactivity_days - s.warning_days) * interval '1 day'"""
            )
            return cursor.fetchone()[0]

    rows = []
    selected, seconds, peak = _timed(floor)
    rows.append(("floor: bare SQL selection of due memberships", memberships, selected, seconds, peak))
    now = timezone.now()
    result, seconds, peak = _timed(lambda: services.inactivity_run(now=now))
    rows.append(
        (
            "inactivity job (warn + lock, permissions, audit, notices)",
            memberships,
            result["warned"] + result["locked"],
            seconds,
            peak,
        )
    )
    from workgroups.services import digests, inactivity

    inactivity.outbox_send = digests.outbox_send = lambda: 0  # the outbox is measured on its own below
    result, seconds, peak = _timed(services.inactivity_warning_emails_send)
    rows.append(("warning e-mails written to the outbox (per language)", memberships, result, seconds, peak))
    result, seconds, peak = _timed(services.outbox_send)
    rows.append(("outbox: warning e-mails sent (one row marked per e-mail)", result, result, seconds, peak))
    result, seconds, peak = _timed(lambda: services.inactivity_run(now=now))
    rows.append(
        (
            "inactivity job again (idempotent: nothing to do)",
            memberships,
            result["warned"] + result["locked"],
            seconds,
            peak,
        )
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workgroups_thread (space_id, title, created_at, last_activity_at, is_pinned, "
            "is_closed, search_text) SELECT id, 'موضوع', now(), now(), false, false, '' FROM workgroups_space"
        )
    result, seconds, peak = _timed(services.digests_run)
    rows.append(
        (f"digest job, {USERS:,} users (built, written to outbox)", memberships, result, seconds, peak)
    )
    result, seconds, peak = _timed(services.outbox_send)
    rows.append(("outbox: digests sent (SMTP replaced by a null backend)", result, result, seconds, peak))
    result, seconds, peak = _timed(services.digests_run)
    rows.append(("digest job again (idempotent: nothing due)", memberships, result, seconds, peak))
    print()
    print(f"{'measurement':<60} {'rows':>10} {'changed':>8} {'seconds':>8} {'ratio':>7} {'peak RSS MB':>12}")
    for label, count, changed, seconds, peak in rows:
        print(
            f"{label:<60} {count:>10,} {changed:>8,} {seconds:>8.2f} "
            f"{seconds / rows[0][3]:>6.1f}x {peak:>12.0f}"
        )
    jobs_peak = max(peak for *_, peak in rows)
    print(
        f"\npeak resident memory of the process during the jobs: {jobs_peak:.0f} MB (goal: under 300 MB); "
        f"spaces: {Space.objects.count()}"
    )


if __name__ == "__main__":
    main()
