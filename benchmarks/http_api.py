"""HTTP latency of the hot paths against a running server, as ratios to `GET /healthz`.

Start the server first, e.g. `labshare demo --resources 1000 --workers 2`, then:
    python benchmarks/http_api.py [--url http://127.0.0.1:8000] [--n 300]

Measures, interleaved round-robin on one keep-alive connection (so all share conditions):
availability of one resource over 4 weeks, free-window search, text search (a stem, two words,
a short prefix; ranked, with the total), booking creation, healthz.
Goals: availability p50 ≤ 3× healthz p50; text search p50 ≤ 3× healthz p50; search p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

TZ = ZoneInfo("Europe/Amsterdam")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _token(client: httpx.Client, email: str, password: str) -> str:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    csrf = r.json()["csrf_token"]
    r = client.post("/api/v1/tokens", json={"name": "benchmark"},
                    headers={"X-CSRF-Token": csrf})
    r.raise_for_status()
    client.cookies.clear()
    return str(r.json()["token"])


def _slots(client: httpx.Client, headers: dict[str, str], monday: datetime) -> Iterator[dict]:
    """Free 2-hour intervals on bookable resources, from each resource's availability."""
    page = client.get("/api/v1/resources", params={"limit": 200}, headers=headers).json()
    for res in page["items"]:
        p = res["policy"]
        if p["approval_required"] or p["bookable_by"] != "all" or p["induction_required"]:
            continue
        free = client.get(f"/api/v1/resources/{res['id']}/availability", headers=headers,
                          params={"from": monday.isoformat(),
                                  "to": (monday + timedelta(days=28)).isoformat()}).json()
        for window in free.get("free", []):
            start = datetime.fromisoformat(window["start"])
            end = datetime.fromisoformat(window["end"])
            while start + timedelta(hours=2) <= end:
                yield {"resource_ids": [res["id"]], "start": start.isoformat(),
                       "end": (start + timedelta(hours=2)).isoformat(), "title": "benchmark"}
                start += timedelta(hours=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--n", type=int, default=300, help="requests per endpoint")
    parser.add_argument("--email", default="planner@acme.test")
    parser.add_argument("--password", default="labshare-demo")
    args = parser.parse_args()

    with httpx.Client(base_url=args.url, timeout=30) as client:
        headers = {"Authorization": f"Bearer {_token(client, args.email, args.password)}"}
        today = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
        monday = today + timedelta(days=7 - today.weekday())
        resource = client.get("/api/v1/resources", params={"limit": 1},
                              headers=headers).json()["items"][0]["id"]
        slots = _slots(client, headers, monday + timedelta(days=7))
        statuses: Counter[tuple[str, int]] = Counter()

        window = {"from": monday.isoformat(), "to": (monday + timedelta(days=28)).isoformat()}

        def availability() -> httpx.Response:
            return client.get(f"/api/v1/resources/{resource}/availability", headers=headers,
                              params=window)

        def availability_anonymous() -> httpx.Response:
            return client.get(f"/api/v1/resources/{resource}/availability", params=window)

        def search() -> httpx.Response:
            day = monday + timedelta(days=1)
            return client.get("/api/v1/resources", headers=headers, params={
                "free_from": (day + timedelta(hours=8)).isoformat(),
                "free_to": (day + timedelta(hours=18)).isoformat(),
                "min_free_minutes": 120, "limit": 50})

        def text(q: str) -> Callable[[], httpx.Response]:
            def probe() -> httpx.Response:
                return client.get("/api/v1/resources", headers=headers,
                                  params={"q": q, "limit": 50})
            return probe

        def create() -> httpx.Response:
            return client.post("/api/v1/bookings", headers=headers, json=next(slots))

        def healthz() -> httpx.Response:
            return client.get("/healthz")

        probes: dict[str, Callable[[], httpx.Response]] = {
            "healthz": healthz, "availability": availability,
            "availability_anon": availability_anonymous, "search": search,
            "q_lassen": text("lassen"), "q_cnc_rdam": text("cnc rotterdam"), "q_las": text("las"),
            "booking": create,
        }
        for probe in probes.values():  # warm up connections and caches
            probe()
        timings: dict[str, list[float]] = {name: [] for name in probes}
        for _ in range(args.n):
            for name, probe in probes.items():
                started = time.perf_counter()
                response = probe()
                timings[name].append((time.perf_counter() - started) * 1000)
                statuses[(name, response.status_code)] += 1

    base50 = statistics.median(timings["healthz"])
    base99 = _percentile(timings["healthz"], 0.99)
    print(f"{args.n} requests each, interleaved, one connection, {args.url}")
    print(f"{'endpoint':14} {'p50 ms':>8} {'p99 ms':>8} {'p50/hz':>7} {'p99/hz':>7}")
    for name, values in timings.items():
        p50, p99 = statistics.median(values), _percentile(values, 0.99)
        print(f"{name:14} {p50:8.2f} {p99:8.2f} {p50 / base50:7.2f} {p99 / base99:7.2f}")
    print("statuses:", dict(sorted(statuses.items())))
    avail = statistics.median(timings["availability"]) / base50
    search_p99 = _percentile(timings["search"], 0.99)
    for name in ("q_lassen", "q_cnc_rdam", "q_las"):
        ratio = statistics.median(timings[name]) / base50
        print(f"goal text search {name} p50 ≤ 3× healthz: {ratio:.2f}× "
              f"{'ok' if ratio <= 3 else 'MISSED'}")
    print(f"goal availability p50 ≤ 3× healthz: {avail:.2f}× {'ok' if avail <= 3 else 'MISSED'}")
    print(f"goal search p99 ≤ 250 ms: {search_p99:.1f} ms "
          f"{'ok' if search_p99 <= 250 else 'MISSED'}")


if __name__ == "__main__":
    main()
