"""Benchmark: the main paths at national size, over HTTP, beside /healthz of the same run.

    python benchmarks/national.py --resources 1000 [--workers 1,2] [--samples 15]
    python benchmarks/national.py --database-url postgresql://…/db [--workers 1,2]  # reuse

Fills a fresh PostgreSQL database with `labshare demo --resources N` (timing the build) unless
`--database-url` names one already filled, then for each worker count starts `labshare serve
--workers W` on a loopback port and measures, one request at a time, `--samples` rounds of
every case interleaved with `/healthz` (so the shared machine's noise falls on all alike):
availability of one resource over four weeks, the free-window search over two weeks, a quote,
the week board of one school (ROC Demo, its facility manager), a school feed warm and with
`If-None-Match` (304), a cold feed (the first fetch after a booking in that school), and every
report over a year for the whole country (the admin). Then booking creation runs with 10
concurrent clients for at most `--seconds` or `--creates` answers, for throughput. Prints
p50/p99 per case and its p50 ratio to healthz. Loopback only; bounded request counts and time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import (
    TZ,
    World,
    availability,
    fresh_database,
    percentile,
    prepare,
    server,
)

Case = Callable[[], Awaitable[httpx.Response]]


def _day(offset: int) -> datetime:
    start = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=offset)


async def _session(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": "labshare-demo"})
    r.raise_for_status()
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def _own_school(client: httpx.AsyncClient) -> str:
    r = await client.get("/api/v1/organisations")
    r.raise_for_status()
    body = r.json()
    for org in body.get("items", body) if isinstance(body, dict) else body:
        if org.get("kind") == "school":
            return str(org["id"])
    raise SystemExit("the facility manager has no school")


async def _school_slots(api: httpx.AsyncClient, world: World, school: str) -> World:
    """A world whose resources are the school's bookable ones (for the cold feed)."""
    page = (await api.get("/api/v1/resources", params={"school": school, "limit": 200},
                          headers=world.tokens[0])).json()
    own = [r["id"] for r in page["items"] if not (
        r["policy"]["approval_required"] or r["policy"]["bookable_by"] != "all"
        or r["policy"]["induction_required"])]
    local = World(world.tokens, own or world.resources)
    for rid in own[:10]:
        await availability(api, local, rid)
    return local


async def _cases(base: str, api: httpx.AsyncClient,
                 world: World) -> tuple[dict[str, Case], str, str]:
    admin = await _session(base, "admin@labshare.test")
    staff = await _session(base, "facility@roc-demo.test")
    token = world.tokens[0]
    rid = random.choice(world.resources)
    school = await _own_school(staff)
    feed = await staff.post("/api/v1/feeds", json={"scope": "school", "id": school})
    feed.raise_for_status()
    feed_path = "/" + feed.json()["url"].split("/", 3)[3]

    etag = (await api.get(feed_path)).headers.get("etag", "")
    year = {"from": _day(-365).isoformat(), "to": _day(0).isoformat()}
    four = {"from": _day(1).isoformat(), "to": _day(29).isoformat()}
    two = {"free_from": _day(2).isoformat(), "free_to": _day(16).isoformat(),
           "min_free_minutes": 120, "limit": 20}
    monday = _day(7 - _day(0).weekday()).date().isoformat()

    async def quote() -> httpx.Response:
        if not world.slots:
            await availability(api, world)
        return await api.post("/api/v1/bookings/quote", json=random.choice(world.slots),
                              headers=token)

    cases: dict[str, Case] = {
        "healthz": lambda: api.get("/healthz"),
        "availability, 4 weeks": lambda: api.get(f"/api/v1/resources/{rid}/availability",
                                                 params=four, headers=token),
        "free-window search, 2 weeks": lambda: api.get("/api/v1/resources", params=two,
                                                       headers=token),
        "quote": quote,
        "week board, one school": lambda: staff.get(
            "/manage/board", params={"view": "week", "day": monday}),
        "feed warm": lambda: api.get(feed_path),
        "feed 304": lambda: api.get(feed_path, headers={"If-None-Match": etag}),
    }
    for group in ("resource", "school", "week"):
        cases[f"utilisation by {group}, year"] = (
            lambda g=group: admin.get("/api/v1/reports/utilisation",
                                      params={**year, "group_by": g}))
    for report in ("companies", "participants", "flow"):
        cases[f"{report}, year"] = lambda r=report: admin.get(f"/api/v1/reports/{r}", params=year)
    return cases, feed_path, school


async def _cold_feeds(api: httpx.AsyncClient, world: World, feed_path: str,
                      rounds: int) -> tuple[list[float], int]:
    """Fetches right after a booking in the feed's school changed what it holds (each worker
    may hold its own warm copy, so only a change makes every fetch cold)."""
    times: list[float] = []
    size = 0
    for _ in range(rounds):
        if not world.slots:
            break
        body = world.slots.pop(random.randrange(len(world.slots)))
        r = await api.post("/api/v1/bookings", json=body, headers=world.tokens[0])
        if r.status_code != 201:
            continue
        started = time.perf_counter()
        answer = await api.get(feed_path)
        times.append(time.perf_counter() - started)
        answer.raise_for_status()
        size = len(answer.content)
    return times, size


async def _throughput(api: httpx.AsyncClient, world: World, clients: int, creates: int,
                      seconds: float) -> tuple[float, Counter[int]]:
    statuses: Counter[int] = Counter()
    budget, stop_at = creates, time.monotonic() + seconds
    while len(world.slots) < creates and time.monotonic() < stop_at:
        await availability(api, world)

    async def one() -> None:
        nonlocal budget
        while budget > 0 and world.slots and time.monotonic() < stop_at:
            budget -= 1
            body = world.slots.pop(random.randrange(len(world.slots)))
            r = await api.post("/api/v1/bookings", json=body, headers=random.choice(world.tokens))
            statuses[r.status_code] += 1

    began = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return sum(statuses.values()) / (time.perf_counter() - began), statuses


async def measure(base: str, workers: int, samples: int, creates: int,
                  seconds: float) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as api:
        world = await prepare(api)
        cases, feed_path, school = await _cases(base, api, world)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for case in cases.values():  # one warm-up each
            await case()
        for _ in range(samples):
            for name, case in cases.items():
                started = time.perf_counter()
                answer = await case()
                times[name].append(time.perf_counter() - started)
                if answer.status_code not in (200, 304):
                    raise SystemExit(f"{name}: {answer.status_code} {answer.text[:300]}")
        local = await _school_slots(api, world, school)
        cold, size = await _cold_feeds(api, local, feed_path, min(samples, 8))
        rate, statuses = await _throughput(api, world, 10, creates, seconds)
    health = statistics.median(times["healthz"])
    print(f"\n{workers} process(es): p50 / p99 ms, ×healthz (p50), {samples} samples each")
    for name, values in times.items():
        p50, p99 = percentile(values, .5), percentile(values, .99)
        print(f"  {name:34} {p50 * 1000:9.1f} {p99 * 1000:9.1f} {p50 / health:8.1f}×", flush=True)
    if cold:
        print(f"  {'feed cold (after a change)':34} {percentile(cold, .5) * 1000:9.1f} "
              f"{max(cold) * 1000:9.1f} {percentile(cold, .5) / health:8.1f}×  "
              f"({len(cold)} samples, {size} bytes)")
    print(f"  create, 10 clients: {rate:.1f}/s {dict(statuses)}", flush=True)
    return {"times": times, "create_rate": rate}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--database-url", help="a PostgreSQL database already filled by demo")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    async def run(url: str) -> None:
        rates = {}
        for workers in (int(w) for w in args.workers.split(",")):
            with server(url, workers, None) as base:
                rates[workers] = (await measure(base, workers, args.samples, args.creates,
                                                args.seconds))["create_rate"]
        if 1 in rates and len(rates) > 1:
            print("\ncreate throughput vs 1 process: "
                  + ", ".join(f"{w}: {r / rates[1]:.2f}×" for w, r in rates.items()))

    if args.database_url:
        await run(args.database_url)
        return
    async with fresh_database("postgresql") as url:
        began = time.perf_counter()
        with server(url, 1, args.resources):
            pass
        print(f"labshare demo --resources {args.resources}: {time.perf_counter() - began:.0f} s "
              "until it serves (build and start)", flush=True)
        await run(url)


if __name__ == "__main__":
    asyncio.run(main())
