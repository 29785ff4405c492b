"""The one home of "a lab claims its equipment": which resources a booking claims (and with
which buffers), whose claims block a resource, and which existing claims a new one would
overlap. The demo, the calendars and the SQL of `calendar_store` follow these functions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from booking.domain.errors import ConflictingClaim
from booking.domain.intervals import Interval
from booking.domain.resources import Resource, ResourceKind

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def claimed(resource: T, equipment: Sequence[T], *, is_lab: bool) -> list[T]:
    """What one booking of `resource` claims: itself, and when it is a lab, its equipment."""
    return [resource, *equipment] if is_lab else [resource]


def blocking(resource_id: K, equipment_ids: Iterable[K], lab_id: K | None) -> frozenset[K]:
    """Whose claims block `resource_id`: its own, its equipment's (a machine booked alone
    blocks its lab) and its lab's (a booked lab blocks its machines)."""
    found = {resource_id, *equipment_ids}
    if lab_id is not None:
        found.add(lab_id)
    return frozenset(found)


def claim_seconds(start_s: int, end_s: int, before_minutes: int, after_minutes: int
                  ) -> tuple[int, int]:
    """A claim in epoch seconds: `[start − before, end + after)`."""
    return start_s - before_minutes * 60, end_s + after_minutes * 60


def claims_for(
    requested: Sequence[Resource],
    children: Mapping[str, Sequence[Resource]],
    occurrence: Interval,
) -> list[tuple[str, Interval]]:
    """`(resource_id, claimed interval)` for one occurrence, in request order, each id once.

    A lab claims itself and its equipment (`children[lab.id]`); equipment claims itself; each
    claim is `[start − buffer_before, end + buffer_after)` with that resource's own buffers.
    """
    found: dict[str, Interval] = {}
    for resource in requested:
        items = claimed(resource, children.get(resource.id, ()),
                        is_lab=resource.kind is ResourceKind.LAB)
        for item in items:
            if item.id not in found:
                policy = item.policy
                found[item.id] = occurrence.widen(
                    timedelta(minutes=policy.buffer_before_minutes),
                    timedelta(minutes=policy.buffer_after_minutes),
                )
    return list(found.items())


def find_conflicts(
    wanted: Sequence[tuple[str, Interval]],
    existing: Sequence[tuple[str, Interval]],
) -> list[ConflictingClaim]:
    """The existing claims that some wanted claim on the same resource overlaps (half-open).

    Each conflicting claim is reported once, sorted by resource id and start; O((n + m) log m)
    plus the conflicts found, with no assumption that existing claims are disjoint.
    """
    by_resource: dict[str, list[Interval]] = {}
    for resource_id, interval in existing:
        if not interval.is_empty:
            by_resource.setdefault(resource_id, []).append(interval)
    index: dict[str, tuple[list[Interval], list[datetime], list[datetime]]] = {}
    for resource_id, intervals in by_resource.items():
        intervals.sort()
        starts = [iv.start for iv in intervals]
        reach = list(accumulate((iv.end for iv in intervals), max))
        index[resource_id] = (intervals, starts, reach)

    found: set[tuple[str, Interval]] = set()
    for resource_id, want in wanted:
        if resource_id not in index or want.is_empty:
            continue
        intervals, starts, reach = index[resource_id]
        j = bisect_left(starts, want.end) - 1  # claims starting before `want` ends
        while j >= 0 and reach[j] > want.start:  # some claim at or before j still reaches in
            if intervals[j].end > want.start:
                found.add((resource_id, intervals[j]))
            j -= 1
    return [
        ConflictingClaim(resource_id, iv.start, iv.end)
        for resource_id, iv in sorted(found, key=lambda hit: (hit[0], hit[1].start, hit[1].end))
    ]
