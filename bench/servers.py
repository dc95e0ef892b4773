"""uvicorn against daphne on the same application and the same stack (not a test).

    make bench-servers
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/servers.py
    # shorter (under 2 minutes): BENCH_QUICK=1 make bench-servers

One throw-away PostgreSQL database (bench/stack.py) with one active space as its members would have
filled it (BENCH_MEMBERS members, discussions, concerns, documents, events, chat messages; signed-in
sessions written straight into the session table), the production settings of docker-compose.yml
(DJANGO_DEBUG=0, PostgreSQL with pooled connections, Redis cache and channel layer under the run's own
key prefix), and the same ASGI application, cssr.asgi:application, served in turn by:

1. uvicorn, the production web command of docker-compose.yml with one worker, pinned to core 0;
2. daphne as production ran it before (`daphne --proxy-headers`, one process), pinned to core 0;
   these two twice each, in the order uvicorn, daphne, daphne, uvicorn (so that neither gains from the
   database's and Redis's caches being warmer, or from the machine being quieter, later in the run;
   BENCH_QUICK=1: once each), every run with a fresh server process;
3. the faster of the two (by the geometric mean of the three throughputs) with two worker processes
   on both cores (uvicorn's `--workers 2`; daphne has no workers option, so when daphne is faster
   there is no such row). The load generator then runs on both cores too, sharing them with the
   server: that row's figures are what two cores serve with the generator's cost taken out of them.

The generator (asyncio on uvloop) runs pinned to core 1 in 1 and 2. On each server, in this order, each
measurement after a short warm-up:

- the floor: CONCURRENCY signed-in participants (HTTP/1.1, cookies kept) request the cheapest
  signed-in URL back to back for SECONDS, each request on a connection of its own, as nginx sends them
  to the web server (its upstream keeps no connection open; kept-alive connections would also stay
  with whichever worker accepted them first): the chat's catch-up JSON with nothing new
  (/chat/<id>/since/, as bench/http.py's floor); requests per second and p50/p95/p99;
- a group page, the space's home page (/spaces/<id>/), measured the same way;
- chat round trips over websockets: LISTENERS members connected to the space's conversation, and
  SENDERS more who each send a chat message ({"type": "send"}, chat/consumers.py) as soon as their
  previous one came back to them over their own socket, for SECONDS; round trips per second and the
  p50/p95/p99 of send-to-own-echo; every message must also reach every other connected member
  (delivered / expected).

With two workers, the split of the open connections (HTTP, sampled once) and of the sockets between the
worker processes is printed (read from /proc: which process holds each connection). Beside each rate,
the CPU time the server's processes used per request or round trip: the rates move with whatever else
runs on the machine, the CPU time much less.

Settings: BENCH_QUICK=1 (shorter phases, fewer data), BENCH_SECONDS, BENCH_CONCURRENCY,
BENCH_LISTENERS, BENCH_MEMBERS.
"""

import asyncio
import math
import os
import sys
import time
from pathlib import Path

import stack  # first: the project's root in the place of this folder on the path (see stack.py)
from stack import Participant, Recorder, closed_loop, connect_all, cpu_seconds, generator, quantiles, settle

QUICK = os.environ.get("BENCH_QUICK") == "1"
SECONDS = float(os.environ.get("BENCH_SECONDS", "6" if QUICK else "12"))
WARM_SECONDS = 1.0 if QUICK else 2.0
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "10"))
LISTENERS = int(os.environ.get("BENCH_LISTENERS", "50"))
SENDERS = 10
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "200"))
CONTENT = (
    {"threads": 10, "posts_per_thread": 10, "concerns": 6, "documents": 6, "events": 6, "chat": 40}
    if QUICK
    else {"threads": 30, "posts_per_thread": 20, "concerns": 12, "documents": 12, "events": 10, "chat": 120}
)
FLOOR, PAGE, CHAT = "floor: chat catch-up JSON", "group page: space home", "chat round trip (websocket)"
LABELS = (FLOOR, PAGE, CHAT)
ORDER = ("uvicorn", "daphne") if QUICK else ("uvicorn", "daphne", "daphne", "uvicorn")


# --- Measurements -----------------------------------------------------------------------------------


async def http(port, keys, path, server_pid):
    participants = [Participant(port, keys[n], n, keep_alive=False) for n in range(CONCURRENCY)]

    def turn(recorder):
        return lambda participant: recorder.timed(participant, "", "GET", path)

    await closed_loop(participants, turn(Recorder()), WARM_SECONDS)
    recorder = Recorder()
    cpu = cpu_seconds(server_pid)
    seconds = await closed_loop(participants, turn(recorder), SECONDS)
    cpu = used_since(cpu, server_pid)
    for participant in participants:
        await participant.close()
    return {
        "times": [row[2] for row in recorder.rows],
        "seconds": seconds,
        "cpu": sum(cpu.values()),
        "errors": sum(1 for row in recorder.rows if not row[3]),
        "split": shares(cpu, server_pid),
    }


async def chat(port, conversation, keys, server_pid):
    url = f"ws://127.0.0.1:{port}/ws/chat/{conversation}/"
    clients = await connect_all(SENDERS + LISTENERS, url, keys, "chat")
    for client in clients:
        client.start()
    sockets = connections_per_process(server_pid, port)
    ids = iter(range(1, 10**9))
    trips = []

    async def send(sender, until):
        while time.perf_counter() < until:
            trips.append(await sender.send_and_wait(next(ids)))

    warm_until = time.perf_counter() + WARM_SECONDS
    await asyncio.gather(*(send(sender, warm_until) for sender in clients[:SENDERS]))
    await settle(clients, len(trips) * len(clients))
    before, trips[:] = sum(c.received for c in clients), []
    cpu = cpu_seconds(server_pid)
    started = time.perf_counter()
    await asyncio.gather(*(send(sender, started + SECONDS) for sender in clients[:SENDERS]))
    elapsed = time.perf_counter() - started
    expected = len(trips) * len(clients)
    await settle(clients, before + expected)
    cpu = used_since(cpu, server_pid)  # every delivery of the messages sent included
    delivered = sum(c.received for c in clients) - before
    for client in clients:
        await client.close()
    return {
        "times": list(trips),
        "seconds": elapsed,
        "cpu": sum(cpu.values()),
        "errors": expected - delivered,
        "delivered": delivered,
        "expected": expected,
        "split": shares(cpu, server_pid),
        "sockets": sockets,
    }


def used_since(before, server_pid):
    """CPU seconds each server process used since `before` (a cpu_seconds reading)."""
    return {pid: seconds - before.get(pid, 0.0) for pid, seconds in cpu_seconds(server_pid).items()}


def shares(cpu, server_pid):
    """Each worker's share of the CPU time (the supervisor's left out when there are workers), in %."""
    workers = {pid: seconds for pid, seconds in cpu.items() if pid != server_pid} or cpu
    total = sum(workers.values()) or 1
    return [round(100 * seconds / total) for seconds in workers.values()]


def combine(runs):
    """One server's runs of one measurement together: the rate over all of them, the quantiles of every
    sample, the errors (undelivered messages for the chat) summed; and each run's rate."""
    times = [value for run in runs for value in run["times"]]
    seconds = sum(run["seconds"] for run in runs)
    return {
        "count": len(times),
        "rate": len(times) / seconds if seconds else float("nan"),
        "runs": [len(run["times"]) / run["seconds"] for run in runs],
        "cpu_ms": sum(run["cpu"] for run in runs) * 1000 / len(times) if times else float("nan"),
        **quantiles(times),
        "errors": sum(run["errors"] for run in runs),
        "delivered": sum(run.get("delivered", 0) for run in runs),
        "expected": sum(run.get("expected", 0) for run in runs),
        "split": [run["split"] for run in runs],
        "sockets": [run.get("sockets") for run in runs],
    }


async def measure(port, data, server_pid):
    base = f"/spaces/{data.space}/"
    floor = f"/chat/{data.conversation}/since/?after={10**15}"
    results = {}
    for label, path in ((FLOOR, floor), (PAGE, base)):
        results[label] = await http(port, data.keys, path, server_pid)
    results[CHAT] = await chat(port, data.conversation, data.keys, server_pid)
    for label, result in results.items():
        print(f"  {label}: {len(result['times']) / result['seconds']:.1f}/s", file=sys.stderr)
    return results


def connections_per_process(server_pid, port):
    """How many established connections to `port` each process of the server holds (its workers for
    uvicorn with workers, else the one process): sockets matched to /proc/net/tcp by inode."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                established.add(fields[9])
    processes = [server_pid]
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    if children.exists() and children.read_text().split():
        processes = [
            int(pid)
            for pid in children.read_text().split()
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
    split = []
    for pid in processes:
        count = 0
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in established:
                    count += 1
        except (FileNotFoundError, PermissionError):
            continue
        split.append(count)
    return split


# --- Main -------------------------------------------------------------------------------------------


def run(name, command, cores, generator_core, bench, data):
    print(f"{name}: {' '.join(command)}", file=sys.stderr)
    load = os.getloadavg()[0]
    process = stack.start_server(command, bench.port, bench.env, cores=cores)
    try:
        results = generator(measure(bench.port, data, process.pid), generator_core)
    finally:
        stack.stop_server(process, seconds=60)
    return results, (load + os.getloadavg()[0]) / 2


def main():
    began = time.perf_counter()
    with stack.Stack("servers") as bench:
        data = stack.populate(MEMBERS, max(MEMBERS, SENDERS + LISTENERS, CONCURRENCY), **CONTENT)
        print(f"data ready in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        bench.release_connections()
        port = bench.port
        commands = {
            "uvicorn": stack.production_command(port, workers=1),
            "daphne": stack.daphne_command(port),
        }
        runs, loads = {"uvicorn": [], "daphne": []}, []
        # in turn, the order reversed the second time (ABBA), so that neither gains from going second
        for server in ORDER:
            results, load = run(
                server, commands[server], stack.SERVER_CORE, stack.GENERATOR_CORE, bench, data
            )
            runs[server].append(results)
            loads.append(load)
        rows = [
            (
                server,
                "1 process, core 0",
                {label: combine([r[label] for r in runs[server]]) for label in LABELS},
            )
            for server in ("uvicorn", "daphne")
        ]
        # the server's own CPU time per request decides, not the rate: other processes may share its core
        costs = {
            server: math.prod(results[label]["cpu_ms"] for label in LABELS)
            for server, _placement, results in rows
        }
        faster = min(costs, key=costs.get)
        note = None
        if faster == "uvicorn":
            command = stack.production_command(port, workers=2)
            results, load = run("uvicorn, 2 workers", command, "0,1", None, bench, data)
            loads.append(load)
            rows.append(
                ("uvicorn", "2 workers, cores 0-1 *", {label: combine([results[label]]) for label in LABELS})
            )
        else:
            note = "daphne has no workers option: no two-process row (that takes more daphnes behind nginx)"
    report(rows, faster, note, loads, time.perf_counter() - began)


def report(rows, faster, note, loads, seconds):
    reference = next(results for server, _placement, results in rows if server == "daphne")
    print()
    print(
        f"cssr.asgi:application, DJANGO_DEBUG=0, PostgreSQL + Redis (cache, channel layer); {CONCURRENCY} "
        f"HTTP participants back to back, {SENDERS} chat senders + {LISTENERS} listening members; "
        f"{SECONDS:.0f} s per measurement; one-process servers measured in the order {', '.join(ORDER)}:"
    )
    print()
    print(
        "| measurement | server | processes, cores | per s | each run | ÷ daphne | server CPU ms each "
        "| ÷ daphne | p50 ms | p95 ms | p99 ms | errors |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in LABELS:
        for server, placement, results in rows:
            result = results[label]
            ratio = result["rate"] / reference[label]["rate"] if reference[label]["rate"] else float("nan")
            errors = result["errors"]
            if label == CHAT:
                errors = f"{result['delivered']:,} / {result['expected']:,} delivered"
            each = ", ".join(f"{rate:.1f}" for rate in result["runs"])
            print(
                f"| {label} | {server} | {placement} | {result['rate']:,.1f} | {each} | {ratio:.2f} | "
                f"{result['cpu_ms']:.1f} | {result['cpu_ms'] / reference[label]['cpu_ms']:.2f} | "
                f"{result['p50']:.0f} | {result['p95']:.0f} | {result['p99']:.0f} | {errors} |"
            )
    print()
    print(
        "per s: requests (HTTP) or round trips (chat: a message sent and back to its sender; every other "
        "member receives it too) over all the server's runs; ÷ daphne: over daphne's, one process on core 0. "
        "Server CPU ms each: the CPU time the server's processes used in the measurement (user + system, "
        "every delivery of the chat's messages included) per request or round trip: what one costs a core, "
        "however busy the machine was (1000 ÷ it is what one quiet core would serve per second)."
    )
    print(f"Faster with one process (the lower server CPU time, geometric mean of the three): {faster}.")
    for server, placement, results in rows:
        if "*" in placement:
            print(
                f"* {server}, {placement.rstrip(' *')}: the load generator shares both cores with the server "
                "(it was on core 1 alone in the other rows). Each worker's share of the server's CPU (%): "
                + ", ".join(f"{label.split(':')[0]} {results[label]['split'][0]}" for label in LABELS)
                + f"; the chat's sockets held by each worker: {results[CHAT]['sockets'][0]}."
            )
    if note:
        print(note + ".")
    print(
        f"Load average (1 min) during the runs: {', '.join(f'{load:.1f}' for load in loads)}. "
        f"Whole run: {seconds:.0f} s."
    )


if __name__ == "__main__":
    main()
