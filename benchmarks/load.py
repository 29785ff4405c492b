"""Load: the issue-16 mix against real `labshare serve --workers N` processes, beside /healthz.

    python benchmarks/load.py [--db sqlite,postgresql] [--workers 1,2,4] [--clients 1,10,50]
                              [--resources 200] [--requests 2000] [--seconds 20]

For each database a fresh one is filled by `labshare demo --resources N`; then for each worker
count a server is started on 127.0.0.1 (loopback only), and for each client count two phases
run with the same client: `GET /healthz` and the mix — availability 30 %, text search 20 %,
quote 12 %, create 28 %, cancel 10 % (of bookings this run created) — interleaved in five
slices each, so that both meet the same machine. Each phase stops after `--requests` answers
or `--seconds`, whichever comes first. Prints per row
throughput, p50 and p99 of both phases, the ratio mix/healthz, and the count of 5xx (goal:
≥ 0.5× healthz at 50 clients, 2 processes, PostgreSQL, 1,000 resources, with 0 5xx).
`--url http://127.0.0.1:PORT` measures an already running server (loopback only) instead.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import httpx

TZ = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "LABSHARE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MIX = (("availability", 30), ("search", 20), ("quote", 12), ("create", 28), ("cancel", 10))
WORDS = ("cnc", "lab", "las", "robot", "3d", "printer", "elektro", "zorg", "metaal", "frees")
PASSWORD = "labshare-demo"
ROUNDS = 5
"""Each phase runs as this many slices, alternating healthz and the mix."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"load.py only talks to loopback addresses, not {host!r}")
    return url.rstrip("/")


# databases and servers ----------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[str]:
    """The URL of an empty database of `kind`, removed afterwards."""
    if kind == "sqlite":
        with TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/load.sqlite3"
        return
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    name = f"labshare_load_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextmanager
def server(database_url: str, workers: int, demo_resources: int | None) -> Iterator[str]:
    """`labshare demo --resources N` (first, to fill the database) or `labshare serve`."""
    port = free_port()
    command = ["demo", "--resources", str(demo_resources)] if demo_resources else ["serve"]
    env = {**os.environ, "LABSHARE_DATABASE_URL": database_url, "LABSHARE_BACKGROUND_JOBS": "0"}
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"labshare-load-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *command, "--port", str(port),
             "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            with suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        time.sleep(1.0 if workers > 1 else 0)  # let every worker finish starting
        yield url
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# the workload -----------------------------------------------------------------------------


@dataclass
class World:
    """What the mix needs: bookers' tokens, bookable resources, free slots, own bookings."""

    tokens: list[dict[str, str]]
    resources: list[str]
    slots: list[dict[str, object]] = field(default_factory=list)
    bookings: list[tuple[str, dict[str, str]]] = field(default_factory=list)


async def bearer(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    csrf = r.json()["csrf_token"]
    r = await client.post("/api/v1/tokens", json={"name": "load"},
                          headers={"X-CSRF-Token": csrf})
    r.raise_for_status()
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def prepare(client: httpx.AsyncClient) -> World:
    tokens = [await bearer(client, e) for e in ("planner@acme.test", "planner@beta.test")]
    resources: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/resources", params=params, headers=tokens[0])).json()
        for res in page["items"]:
            p = res["policy"]
            if not (p["approval_required"] or p["bookable_by"] != "all"
                    or p["induction_required"]):
                resources.append(res["id"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    world = World(tokens, resources)
    for rid in random.sample(resources, min(40, len(resources))):
        await availability(client, world, rid)
    return world


def window() -> tuple[str, str]:
    start = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=random.randint(2, 30))
    return start.isoformat(), (start + timedelta(days=7)).isoformat()


async def availability(client: httpx.AsyncClient, world: World, rid: str | None = None) -> int:
    rid = rid or random.choice(world.resources)
    start, end = window()
    r = await client.get(f"/api/v1/resources/{rid}/availability",
                         params={"from": start, "to": end}, headers=random.choice(world.tokens))
    if r.status_code == 200:
        for w in r.json().get("free", [])[:6]:
            begin, stop = datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"])
            if stop - begin >= timedelta(hours=2):
                world.slots.append({"resource_ids": [rid], "start": begin.isoformat(),
                                    "end": (begin + timedelta(hours=2)).isoformat(),
                                    "title": "load"})
        del world.slots[:-5000]
    return r.status_code


async def search(client: httpx.AsyncClient, world: World) -> int:
    r = await client.get("/api/v1/resources", params={"q": random.choice(WORDS), "limit": 20},
                         headers=random.choice(world.tokens))
    return r.status_code


async def quote(client: httpx.AsyncClient, world: World) -> int:
    if not world.slots:
        return await availability(client, world)
    r = await client.post("/api/v1/bookings/quote", json=random.choice(world.slots),
                          headers=random.choice(world.tokens))
    return r.status_code


async def create(client: httpx.AsyncClient, world: World) -> int:
    if not world.slots:
        return await availability(client, world)
    body = world.slots.pop(random.randrange(len(world.slots)))
    headers = random.choice(world.tokens)
    r = await client.post("/api/v1/bookings", json=body, headers=headers)
    if r.status_code == 201:
        world.bookings.append((r.json()["id"], headers))
    return r.status_code


async def cancel(client: httpx.AsyncClient, world: World) -> int:
    if not world.bookings:
        return await create(client, world)
    booking_id, headers = world.bookings.pop(random.randrange(len(world.bookings)))
    r = await client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers)
    return r.status_code


OPERATIONS: dict[str, Callable[[httpx.AsyncClient, World], Awaitable[int]]] = {
    "availability": availability, "search": search, "quote": quote, "create": create,
    "cancel": cancel,
}


async def healthz(client: httpx.AsyncClient, world: World) -> int:
    return (await client.get("/healthz")).status_code


async def mix(client: httpx.AsyncClient, world: World) -> int:
    name = random.choices([n for n, _ in MIX], weights=[w for _, w in MIX])[0]
    return await OPERATIONS[name](client, world)


@dataclass
class Phase:
    answers: int
    seconds: float
    latencies: list[float]
    statuses: Counter[int]

    def add(self, other: Phase) -> None:
        self.answers += other.answers
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.statuses.update(other.statuses)

    @property
    def throughput(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0


async def phase(client: httpx.AsyncClient, world: World, clients: int, requests: int,
                seconds: float, operation: Callable[[httpx.AsyncClient, World], Awaitable[int]],
                ) -> Phase:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    budget = requests
    stop_at = time.monotonic() + seconds

    async def one_client() -> None:
        nonlocal budget
        while budget > 0 and time.monotonic() < stop_at:
            budget -= 1
            began = time.perf_counter()
            try:
                status = await operation(client, world)
            except httpx.HTTPError:
                status = 599
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1

    began = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return Phase(len(latencies), time.perf_counter() - began, latencies, statuses)


def row(db: str, workers: int, clients: int, health: Phase, load: Phase) -> str:
    ratio = load.throughput / health.throughput if health.throughput else 0.0
    errors = sum(n for s, n in load.statuses.items() if s >= 500)
    errors += sum(n for s, n in health.statuses.items() if s >= 500)
    h50, h99 = (percentile(health.latencies, q) * 1000 for q in (.5, .99))
    m50, m99 = (percentile(load.latencies, q) * 1000 for q in (.5, .99))
    return (f"{db:10} {workers:>3} {clients:>4} | {health.throughput:8.0f} {h50:6.1f} {h99:7.1f}"
            f" | {load.throughput:8.0f} {m50:6.1f} {m99:7.1f} | {ratio:5.2f} {errors:4d}  "
            f"{dict(sorted(load.statuses.items()))}")


HEADER = (f"{'database':10} {'wrk':>3} {'cli':>4} | {'healthz/s':>8} {'p50ms':>6} {'p99ms':>7} | "
          f"{'mix/s':>8} {'p50ms':>6} {'p99ms':>7} | ratio  5xx  mix statuses")


async def measure(url: str, label: str, workers: int, clients_list: list[int],
                  requests: int, seconds: float) -> None:
    limits = httpx.Limits(max_connections=max(clients_list), max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        world = await prepare(client)
        for clients in clients_list:
            health, load = Phase(0, 0.0, [], Counter()), Phase(0, 0.0, [], Counter())
            for _ in range(ROUNDS):  # interleaved, so both meet the same machine
                for total, operation in ((health, healthz), (load, mix)):
                    part = await phase(client, world, clients, requests // ROUNDS,
                                       seconds / ROUNDS, operation)
                    total.add(part)
            print(row(label, workers, clients, health, load), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000, help="answers per phase, at most")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per phase, at most")
    parser.add_argument("--url", help="measure this running (loopback) server instead")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    print(HEADER, flush=True)
    if args.url:
        await measure(loopback_only(args.url), "given", 0, clients, args.requests, args.seconds)
        return
    for db in args.db.split(","):
        async with fresh_database(db) as database_url:
            with server(database_url, 1, args.resources):
                pass  # the demo data is in; every worker count reuses it
            for workers in (int(w) for w in args.workers.split(",")):
                with server(database_url, workers, None) as url:
                    await measure(url, db, workers, clients, args.requests, args.seconds)


if __name__ == "__main__":
    asyncio.run(main())
