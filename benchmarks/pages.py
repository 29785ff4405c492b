"""Time the school-side pages against a live server, as a ratio to `GET /healthz` in the same run.

    python -m benchmarks.pages                       # demo with ~1,000 resources, 30 rounds
    python -m benchmarks.pages --one-school          # ... all of them moved into ROC Demo
    python -m benchmarks.pages --resources 0 --rounds 50   # the default demo

Method: build a SQLite demo database with `booking.demo.create_demo(resources=N, now=NOW)`,
start `labshare serve` (one worker) on it, sign in as the facility manager, warm up, then
request each page and `/healthz` in interleaved rounds over one keep-alive connection. Reports
median and p90 wall time per URL, the ratio of medians to `/healthz`, and "server ms" = median
minus the `/healthz` median (the fixed cost of a request: HTTP, middleware, session lookup are
in both). `--one-school` moves every site and resource of the region into ROC Demo first, so the
board shows all ~1,000 resources at once (the demo spreads them over ~50 schools).

Issue 5's budget: every page here ≤ 150 ms server time, also with `--one-school`; the table marks
a page over it. Two shared cores make single runs noisy: run it a few times, interleaved with
whatever you compare against, and take medians (docs/school-side.md has the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

MANAGER = "facility@roc-demo.test"
PASSWORD = "labshare-demo"
DEFAULT_NOW = "2027-10-27T09:00:00+00:00"  # a Wednesday in the week of the autumn DST change


async def build(url: str, resources: int | None, now: datetime, one_school: bool) -> dict[str, int]:
    from booking.db import engine
    from booking.db.migrate import migrate
    from booking.db.sql import execute, fetch_one
    from booking.demo import create_demo

    eng = engine.configure(url)
    await engine.open_engine(eng)
    try:
        await migrate()
        summary = await create_demo(resources=resources, now=now)
        if one_school:
            roc = await fetch_one("SELECT id FROM organisations WHERE name = 'ROC Demo'")
            assert roc is not None
            await execute("UPDATE sites SET school = $1", roc["id"])
            await execute("UPDATE resources SET school = $1", roc["id"])
        row = await fetch_one(
            "SELECT COUNT(*) AS n FROM resources r JOIN organisations o ON o.id = r.school "
            "WHERE o.name = 'ROC Demo'"
        )
        return {"resources": summary.resources, "bookings": summary.bookings,
                "roc_demo_resources": int(row["n"]) if row else 0}
    finally:
        await engine.close_engine(eng)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, data_dir: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LABSHARE_DATABASE_URL": url, "LABSHARE_DATA_DIR": data_dir}
    labshare = str(Path(sys.executable).with_name("labshare"))
    proc = subprocess.Popen([labshare, "serve", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("labshare serve exited")
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("labshare serve did not come up")


def measure(base: str, day: str, rounds: int, warmup: int) -> dict[str, dict[str, float]]:
    pages = {
        "healthz": "/healthz",
        "board week": f"/manage/board?view=week&day={day}",
        "board day": f"/manage/board?view=day&day={day}",
        "requests": "/manage/requests",
        "overview": "/manage",
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        login = client.post("/api/v1/auth/login", json={"email": MANAGER, "password": PASSWORD})
        login.raise_for_status()
        for i in range(warmup + rounds):
            for name, path in pages.items():
                start = time.perf_counter()
                response = client.get(path, headers={"accept": "text/html"})
                elapsed = (time.perf_counter() - start) * 1000
                response.raise_for_status()
                sizes[name] = len(response.content)
                if i >= warmup:
                    times[name].append(elapsed)
    health = statistics.median(times["healthz"])
    result: dict[str, dict[str, float]] = {}
    for name, values in times.items():
        values.sort()
        median = statistics.median(values)
        result[name] = {
            "median_ms": round(median, 1),
            "p90_ms": round(values[int(0.9 * (len(values) - 1))], 1),
            "ratio": round(median / health, 1),
            "server_ms": round(median - health, 1),
            "kb": round(sizes[name] / 1024, 1),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, default=1000, help="0: the default demo")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--now", default=DEFAULT_NOW, help="the demo's now, RFC 3339")
    parser.add_argument("--one-school", action="store_true",
                        help="move every resource into ROC Demo (a 1,000-resource board)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--budget-ms", type=float, default=150.0,
                        help="server time a page may take (issue 5)")
    parser.add_argument("--database", help="measure on a copy of this SQLite file instead of "
                        "building one (its data must match --now)")
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now).astimezone(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        t0 = time.perf_counter()
        if args.database:
            shutil.copyfile(args.database, f"{tmp}/bench.sqlite3")
            facts = {"database": args.database}  # type: ignore[dict-item]
        else:
            facts = asyncio.run(build(url, args.resources or None, now, args.one_school))
        built_s = time.perf_counter() - t0
        port = free_port()
        proc = serve(url, tmp, port)
        try:
            result = measure(f"http://127.0.0.1:{port}", now.date().isoformat(), args.rounds,
                             args.warmup)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    report = {"facts": {**facts, "one_school": args.one_school, "now": args.now,
                        "rounds": args.rounds, "build_s": round(built_s, 1)},
              "pages": result}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(json.dumps(report["facts"]))
    print(f"{'page':<12} {'median ms':>10} {'p90 ms':>8} {'× healthz':>10} {'server ms':>10} "
          f"{'KB':>8}")
    for name, r in result.items():
        over = "  over budget" if r["server_ms"] > args.budget_ms else ""
        print(f"{name:<12} {r['median_ms']:>10} {r['p90_ms']:>8} {r['ratio']:>10} "
              f"{r['server_ms']:>10} {r['kb']:>8}{over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
