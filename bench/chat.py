"""Benchmark of the chat over websockets on the production-like stack (not a test).

    make bench-chat
    # or: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/chat.py

Creates a throw-away PostgreSQL database, migrates it and fills one active space with 2,000 members
and their sessions; starts the project's ASGI application (with bench/chat_asgi.py's echo socket) by
the production web command (docker-compose.yml: uvicorn, here one worker) with channels-redis
(REDIS_URL, default redis://127.0.0.1:6379/0, under its own key prefix) on one core, and drives it
from a load generator pinned to the other core (taskset); then swaps the two cores and measures again
(BENCH_QUICK=1: once, server on core 0). The set-up, the server's start and the websocket client are
bench/stack.py's.

For N = 50 and 200 clients connected to the space's conversation:
- throughput: 10 senders, each sending its next message as soon as its previous one came back to
  it; messages per second sustained over the run, and delivered frames against expected (N per message);
- latency: messages paced at one steady rate for both stacks, half the chat's measured throughput
  (so neither is saturated); p50 and p99 of the time from the send to each delivery, across every
  receiving client.
The same two measurements are taken, in the same run and on the same stack, against a bare Channels
echo consumer (no authentication, no database: receive, group_send, forward): the floor. Then the
server's memory with 2,000 idle authenticated sockets open.

The per-user rate limit is lifted for the run (CSSR_CHAT_RATE_MESSAGES): it guards against one abusive
user and would otherwise cap the senders, not the stack. Drops the database at the end.
"""

import asyncio
import os
import statistics
import sys
import time

import stack  # first: the project's root in the place of this folder on the path (see stack.py)
from stack import connect_all, rss_mib, settle

QUICK = os.environ.get("BENCH_QUICK") == "1"
IDLE_SOCKETS = 2_000
SENDERS = 10
THROUGHPUT_MESSAGES = {50: 600, 200: 300}
LATENCY_RATE = {50: 20, 200: 10}  # messages per second in the latency run
LATENCY_SECONDS = 10
CORES = ("0", "1")


async def throughput(kind, url, cookies, n):
    """Closed loop: SENDERS senders, each sending its next message when its previous one came back."""
    clients = await connect_all(n, url, cookies, kind)
    for client in clients:
        client.start()
    per_sender = THROUGHPUT_MESSAGES[n] // SENDERS
    ids = iter(range(1, 10**9))
    started = time.perf_counter()

    async def loop(sender):
        for _ in range(per_sender):
            await sender.send_and_wait(next(ids))

    await asyncio.gather(*(loop(sender) for sender in clients[:SENDERS]))
    sent = per_sender * SENDERS
    await settle(clients, sent * n)
    elapsed = time.perf_counter() - started
    delivered = sum(c.received for c in clients)
    for client in clients:
        await client.close()
    return {"msgs_per_s": sent / elapsed, "delivered": delivered, "expected": sent * n}


async def latency(kind, url, cookies, n, rate):
    """Open loop at `rate` messages per second for LATENCY_SECONDS; every delivery timed."""
    clients = await connect_all(n, url, cookies, kind)
    for client in clients:
        client.start()
    count = max(int(rate * LATENCY_SECONDS), SENDERS)
    begin = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0, begin + index / rate - time.perf_counter()))
        await clients[index % SENDERS].send(10**6 + index)
    await settle(clients, count * n)
    values = sorted(value for c in clients for value in c.latencies)
    delivered = sum(c.received for c in clients)
    for client in clients:
        await client.close()
    return {
        "p50": statistics.median(values) * 1000 if values else float("nan"),
        "p99": values[max(int(len(values) * 0.99) - 1, 0)] * 1000 if values else float("nan"),
        "delivered": delivered,
        "expected": count * n,
        "rate": rate,
    }


def measure_pair(core, chat_url, echo_url, cookies, n):
    """Throughput of the floor and the chat, then the latency of both at one common paced rate: half
    the chat's measured throughput (at most LATENCY_RATE[n]), so neither side is saturated."""
    floor = generator(core, throughput("echo", echo_url, None, n))
    chat = generator(core, throughput("chat", chat_url, cookies, n))
    rate = max(1.0, min(LATENCY_RATE[n], round(chat["msgs_per_s"] / 2, 1)))
    floor_latency = generator(core, latency("echo", echo_url, None, n, rate))
    chat_latency = generator(core, latency("chat", chat_url, cookies, n, rate))
    for result, timed in ((floor, floor_latency), (chat, chat_latency)):
        result.update(
            p50=timed["p50"],
            p99=timed["p99"],
            rate=rate,
            delivered=result["delivered"] + timed["delivered"],
            expected=result["expected"] + timed["expected"],
        )
    return floor, chat


async def idle_memory(url, cookies, pid):
    before = rss_mib(pid)
    clients = await connect_all(IDLE_SOCKETS, url, cookies, "chat")
    await asyncio.sleep(2)
    after = rss_mib(pid)
    for client in clients:
        await client.close()
    return before, after


def generator(core, coroutine):
    return stack.generator(coroutine, core, loop="asyncio")


# --- Main -----------------------------------------------------------------------------------


def main():
    rows, memory = [], None
    with stack.Stack("chat") as bench:
        data = stack.populate(IDLE_SOCKETS, IDLE_SOCKETS)
        conversation, cookies = data.conversation, data.keys
        bench.release_connections()
        placements = [CORES] if QUICK else [CORES, CORES[::-1]]
        for server_core, generator_core in placements:
            port = stack.free_port()
            command = stack.production_command(port, workers=1, app="bench.chat_asgi:application")
            process = stack.start_server(command, port, bench.env, cores=server_core)
            try:
                chat_url = f"ws://127.0.0.1:{port}/ws/chat/{conversation}/"
                echo_url = f"ws://127.0.0.1:{port}/ws/echo/"
                for n in (50, 200):
                    floor, chat = measure_pair(generator_core, chat_url, echo_url, cookies, n)
                    rows.append((server_core, n, floor, chat))
                    print(
                        f"server on core {server_core}, {n} clients: floor {floor}, chat {chat}",
                        file=sys.stderr,
                    )
                if memory is None:
                    memory = generator(generator_core, idle_memory(chat_url, cookies, process.pid))
                    print(f"memory: {memory}", file=sys.stderr)
            finally:
                stack.stop_server(process)  # closing thousands of sockets takes a while
    report(rows, memory)


def report(rows, memory):
    print()
    print(
        "| server core | clients | stack | msgs/s sustained | floor ÷ this | p50 ms | p99 ms "
        "| paced at msgs/s | delivered / expected |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for core, n, floor, chat in rows:
        for label, result in (("floor: bare echo consumer", floor), ("chat", chat)):
            ratio = floor["msgs_per_s"] / result["msgs_per_s"] if result["msgs_per_s"] else float("nan")
            print(
                f"| {core} | {n} | {label} | {result['msgs_per_s']:,.0f} | "
                f"{ratio:.1f} | {result['p50']:.1f} | {result['p99']:.1f} | {result['rate']} | "
                f"{result['delivered']:,} / {result['expected']:,} |"
            )
    if memory:
        before, after = memory
        print()
        print(
            f"Server resident memory: {before:.0f} MiB before, {after:.0f} MiB with {IDLE_SOCKETS:,} idle "
            f"authenticated sockets ({(after - before) * 1024 / IDLE_SOCKETS:.0f} KiB per socket)."
        )


if __name__ == "__main__":
    main()
