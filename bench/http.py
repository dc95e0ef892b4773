"""Load benchmark of the group pages on the production-like stack (not a test).

    make bench-http
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/http.py
    # shorter (about 4 minutes): BENCH_QUICK=1 make bench-http

Creates a throw-away PostgreSQL database, migrates it and fills one active space: BENCH_MEMBERS members
(default 200) who accepted the code of conduct, 50 discussions of 20 posts, concerns, documents,
events and the space's chat; and signed-in sessions written straight into the session table (no sign-in
form, no second factor: plain members need none), several per member. Starts the production web
command (docker-compose.yml: uvicorn on cssr.asgi, DJANGO_DEBUG=0) with one worker and the compose
file's settings, changed only where loopback differs (plain http, no proxy in front, no mail server),
on PostgreSQL and Redis (REDIS_URL, under its own key prefix), pinned to core 0 with taskset (what one
core of production serves; BENCH_SERVER=daphne: daphne instead); the load generator, a small
asyncio HTTP/1.1 client with keep-alive connections (one per participant, cookies kept as a browser
keeps them), runs pinned to core 1.

1. Each page alone: PAGE_CONCURRENCY participants request it back to back for PAGE_SECONDS; requests,
   throughput, the server's CPU time per request (from /proc: what compares runs made minutes apart
   on a machine whose speed drifts), p50/p95/p99 and errors. The floor, measured the same way on the
   same server: the cheapest signed-in URL there is, the chat's catch-up JSON with nothing new to return
   (/chat/<id>/since/): every middleware of a signed-in request, the permission check, one query.
2. A mix: the same participants browse pages at random, replying in a discussion (a POST with the
   CSRF token taken from the page) and writing in the chat (the chat page's form, the non-websocket
   way to send) now and then.
3. The capacity ramp: participants who wait 5 to 10 s between pages, as people do (the same mix),
   added in steps of STEP_SECONDS (x1.5 from 25) until a step's p99 passes 2 s or its errors pass
   0.025 %; then one step halfway between that one and the last that passed (participants leave).
   The largest step that passed is what the server held.

The chat's per-user rate limit is lifted (CSSR_CHAT_RATE_MESSAGES): it guards against one abusive user,
and here one member's sessions can be several participants. Drops the database at the end.

The set-up, the server's start and the clients are bench/stack.py's, shared with bench/chat.py and
bench/servers.py.

With BENCH_WORKERS=2, the server runs as production runs it on this machine, one uvicorn worker per
core, on both cores (the generator then shares core 1 with it): the capacity of the whole machine,
where the default measures what one core serves and the ratios to the floor.

Settings: BENCH_QUICK=1 (shorter phases), BENCH_SERVER (uvicorn or daphne), BENCH_WORKERS (uvicorn's
workers, default 1), BENCH_MEMBERS, BENCH_SESSIONS,
BENCH_PAGE_SECONDS, BENCH_MIX_SECONDS, BENCH_STEP_SECONDS, BENCH_RAMP_SECONDS (the ramp's time before its
halfway step).
"""

import asyncio
import os
import re
import sys
import time

import stack  # first: the project's root in the place of this folder on the path (see stack.py)
from stack import Participant, Recorder, closed_loop, generator, summary

QUICK = os.environ.get("BENCH_QUICK") == "1"
SERVER = os.environ.get("BENCH_SERVER", "uvicorn")
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "200"))
THREADS, POSTS_PER_THREAD = 50, 20
CONCERNS, DOCUMENTS, EVENTS, CHAT_MESSAGES = 12, 12, 10, 120
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "2000"))  # one per participant, spread over the members
PAGE_CONCURRENCY = 10
PAGE_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "4" if QUICK else "12"))
MIX_SECONDS = float(os.environ.get("BENCH_MIX_SECONDS", "10" if QUICK else "30"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "20" if QUICK else "40"))
RAMP_BUDGET = float(os.environ.get("BENCH_RAMP_SECONDS", "120" if QUICK else "320"))
RAMP_START, RAMP_FACTOR = 25, 1.5
THINK = (5.0, 10.0)
P99_LIMIT = 2.0
ERROR_LIMIT = 0.00025
REPLY_SHARE, CHAT_SHARE = 0.10, 0.05
FLOOR = "floor: chat catch-up JSON, nothing new"
READS = ("space home", "discussions", "thread", "concerns", "documents", "chat page", "calendar month")
REPLY, CHAT = "reply (POST)", "chat message (POST)"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def populate():
    """One active space as its members would have filled it (stack.populate); returns the paths the
    participants use and the session keys."""
    data = stack.populate(
        MEMBERS,
        SESSIONS,
        threads=THREADS,
        posts_per_thread=POSTS_PER_THREAD,
        concerns=CONCERNS,
        documents=DOCUMENTS,
        events=EVENTS,
        chat=CHAT_MESSAGES,
    )
    base = f"/spaces/{data.space}/"
    chat_page = f"/chat/{data.conversation}/"
    paths = {
        FLOOR: lambda r: f"{chat_page}since/?after={10**15}",
        "space home": lambda r: base,
        "discussions": lambda r: f"{base}discussions/",
        "thread": lambda r: f"{base}discussions/{r.choice(data.threads)}/",
        "concerns": lambda r: f"{base}concerns/",
        "documents": lambda r: f"{base}documents/",
        "chat page": lambda r: chat_page,
        "calendar month": lambda r: f"{base}events/month/",
    }
    return paths, data.keys


def server_command(port):
    """The production web command (docker-compose.yml: uvicorn), BENCH_WORKERS workers; or, with
    BENCH_SERVER=daphne, daphne as production ran it before."""
    if SERVER == "daphne":
        return stack.daphne_command(port)
    return stack.production_command(port, workers=WORKERS)


# --- The load generator ---------------------------------------------------------------------


async def act(participant, recorder, paths, label):
    """One thing a participant does: open a page, or open one and post its form."""
    rng = participant.rng
    if label == REPLY:
        path = paths["thread"](rng)
        page = await recorder.timed(participant, "thread", "GET", path)
        token = TOKEN.search(page or b"")
        if token is None:
            recorder.rows.append((REPLY, time.perf_counter(), 0.0, False))
            return
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "body": "أوافق على ما ورد أعلاه، مع ملاحظة صغيرة.",
        }
        await recorder.timed(participant, REPLY, "POST", path, form, expect=302)
    elif label == CHAT:
        path = paths["chat page"](rng)
        page = await recorder.timed(participant, "chat page", "GET", path)
        token = TOKEN.search(page or b"")
        if token is None:
            recorder.rows.append((CHAT, time.perf_counter(), 0.0, False))
            return
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "body": "شكراً، سأراجع الوثيقة قبل الاجتماع."}
        await recorder.timed(participant, CHAT, "POST", path, form, expect=302)
    else:
        await recorder.timed(participant, label, "GET", paths[label](rng))


def choose(rng):
    draw = rng.random()
    if draw < REPLY_SHARE:
        return REPLY
    if draw < REPLY_SHARE + CHAT_SHARE:
        return CHAT
    return rng.choice(READS)


def loop(participants, recorder, paths, pick, seconds):
    """Each participant acts again as soon as its last request came back, for `seconds`."""
    return closed_loop(
        participants, lambda participant: act(participant, recorder, paths, pick(participant.rng)), seconds
    )


def server_cpu(pid):
    """CPU seconds the server's processes have used so far."""
    return sum(stack.cpu_seconds(pid).values())


async def measure_pages(port, keys, paths, pid):
    """Each page alone (the floor first), then the mix; per label: requests, rates, latencies, and the
    server's CPU time per request (`cpu_ms`: what other work on the machine moves much less than the
    rates, so it compares runs made minutes apart)."""
    participants = [Participant(port, keys[n], n) for n in range(PAGE_CONCURRENCY)]
    pages = []
    for label in (FLOOR, *READS):
        warm = Recorder()
        await loop(participants, warm, paths, lambda rng, label=label: label, 1.0)
        recorder = Recorder()
        used = server_cpu(pid)
        seconds = await loop(participants, recorder, paths, lambda rng, label=label: label, PAGE_SECONDS)
        used = server_cpu(pid) - used
        result = summary(recorder.rows, seconds)
        result["cpu_ms"] = used * 1000 / result["requests"] if result["requests"] else float("nan")
        pages.append((label, result))
        print(f"{label}: {pages[-1][1]}", file=sys.stderr)
    recorder = Recorder()
    seconds = await loop(participants, recorder, paths, choose, MIX_SECONDS)
    mix = [("all requests", summary(recorder.rows, seconds))]
    for label in (*READS, REPLY, CHAT):
        mix.append((label, summary([row for row in recorder.rows if row[0] == label], seconds)))
    for participant in participants:
        await participant.close()
    return pages, mix


async def ramp(port, keys, paths):
    """Participants with think time, added in steps until a step fails or the time budget is spent;
    after a failed step, one step halfway between it and the last that held (participants leave)."""
    recorder = Recorder()
    participants, tasks, steps = [], [], []
    began = time.perf_counter()

    async def pause(participant, seconds):
        """Think for `seconds`; True if the participant left meanwhile."""
        try:
            await asyncio.wait_for(participant.leave.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def live(participant):
        # arrivals spread over the think time; a request under way is finished, never cut off
        if await pause(participant, participant.rng.uniform(0, THINK[1])):
            return
        while True:
            await act(participant, recorder, paths, choose(participant.rng))
            if await pause(participant, participant.rng.uniform(*THINK)):
                return

    async def step(count):
        while len(participants) < count:
            participant = Participant(
                port, keys[len(participants) + PAGE_CONCURRENCY], 10**6 + len(participants)
            )
            participant.leave = asyncio.Event()
            participants.append(participant)
            tasks.append(asyncio.create_task(live(participant)))
        while len(participants) > count:
            leaving = participants.pop()
            leaving.leave.set()
            await tasks.pop()
            await leaving.close()
        start = time.perf_counter()
        await asyncio.sleep(STEP_SECONDS)
        end = time.perf_counter()
        result = summary([row for row in recorder.rows if start <= row[1] < end], end - start)
        passed = (
            result["requests"] > 0
            and result["p99"] <= P99_LIMIT * 1000
            and result["errors"] <= ERROR_LIMIT * result["requests"]
        )
        steps.append((count, result, passed))
        print(f"ramp {count}: {result} {'held' if passed else 'FAILED'}", file=sys.stderr)
        return passed

    most = len(keys) - PAGE_CONCURRENCY
    held, count, failed = 0, min(RAMP_START, most), None
    while time.perf_counter() - began + STEP_SECONDS <= RAMP_BUDGET:
        if await step(count):
            held = count
            if count >= most:
                break
            count = min(int(count * RAMP_FACTOR), most)
        else:
            failed = count
            break
    if failed is not None and failed - held > 2:
        # the backlog of the failed step is served before the halfway step is measured
        await asyncio.sleep(THINK[1])
        halfway = (held + failed) // 2
        if await step(halfway):
            held = halfway
    for participant in participants:
        participant.leave.set()
    await asyncio.gather(*tasks)
    for participant in participants:
        await participant.close()
    return steps, held, failed


# --- Main -----------------------------------------------------------------------------------


def main():
    began = time.perf_counter()
    with stack.Stack("http") as bench:
        paths, keys = populate()
        print(f"data ready in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        bench.release_connections()
        cores = stack.SERVER_CORE if WORKERS == 1 else None  # several workers: every core
        process = stack.start_server(server_command(bench.port), bench.port, bench.env, cores=cores)
        try:
            pages, mix = generator(measure_pages(bench.port, keys, paths, process.pid))
            steps, held, failed = generator(ramp(bench.port, keys, paths))
        finally:
            stack.stop_server(process, seconds=60)
    report(pages, mix, steps, held, failed, time.perf_counter() - began)


def row(label, result, floor=None):
    ratio = cpu = ""
    if floor is not None:
        ratio = f" {floor['rate'] / result['rate']:.1f} |" if result["rate"] else " – |"
        cpu = f" {result['cpu_ms']:.1f} | {result['cpu_ms'] / floor['cpu_ms']:.2f} |"
    return (
        f"| {label} | {result['requests']:,} | {result['rate']:,.1f} |{ratio}{cpu} {result['p50']:.0f} | "
        f"{result['p95']:.0f} | {result['p99']:.0f} | {result['errors']} |"
    )


def report(pages, mix, steps, held, failed, seconds):
    floor = pages[0][1]
    print()
    where = (
        "one process on core 0, the generator on core 1"
        if WORKERS == 1
        else f"{WORKERS} workers on every core, the generator on core 1"
    )
    print(
        f"{SERVER}, {where}. Each page alone, {PAGE_CONCURRENCY} "
        f"participants back to back, {PAGE_SECONDS:.0f} s each:"
    )
    print()
    print(
        "| page | requests | req/s | floor ÷ this | server CPU ms | CPU ÷ floor's | p50 ms | p95 ms | p99 ms "
        "| errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, result in pages:
        print(row(label, result, floor))
    print()
    print(
        f"The mix, {PAGE_CONCURRENCY} participants back to back for {MIX_SECONDS:.0f} s "
        f"({REPLY_SHARE:.0%} replies, {CHAT_SHARE:.0%} chat messages, each after its page):"
    )
    print()
    print("| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, result in mix:
        print(row(label, result))
    print()
    print(
        f"Capacity ramp: participants waiting {THINK[0]:.0f}-{THINK[1]:.0f} s between pages (same mix), "
        f"{STEP_SECONDS:.0f} s per step; a step holds while p99 <= {P99_LIMIT:.0f} s and errors <= "
        f"{ERROR_LIMIT:.3%}:"
    )
    print()
    print("| participants | requests | req/s | p50 ms | p95 ms | p99 ms | errors | held |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for count, result, passed in steps:
        print(f"{row(str(count), result)} {'yes' if passed else 'no'} |")
    print()
    if failed is None:
        ended = "the time budget or the sessions ran out before any step failed"
    else:
        ended = f"{failed} did not hold"
    print(f"Held {held} participants ({ended}). Whole run: {seconds:.0f} s.")


if __name__ == "__main__":
    main()
