"""What a booking claims, and conflict detection against existing claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain.claims import claims_for, find_conflicts
from booking.domain.errors import ConflictingClaim
from booking.domain.intervals import Interval
from booking.domain.resources import Policy, Resource, ResourceKind

T0 = datetime(2027, 10, 31, tzinfo=UTC)  # the autumn DST Sunday


def iv(a: int, b: int) -> Interval:
    return Interval(T0 + timedelta(hours=a), T0 + timedelta(hours=b))


def res(rid: str, kind: ResourceKind, before: int = 0, after: int = 0) -> Resource:
    policy = Policy(buffer_before_minutes=before, buffer_after_minutes=after)
    return Resource(rid, "s", "site", kind, rid, policy=policy)


LAB = res("lab", ResourceKind.LAB, before=30)
MILL = res("mill", ResourceKind.EQUIPMENT, after=15)
LATHE = res("lathe", ResourceKind.EQUIPMENT)
CHILDREN = {"lab": [MILL, LATHE]}
OCC = iv(8, 10)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ([LAB], [("lab", OCC.widen(30 * M, 0 * M)), ("mill", OCC.widen(0 * M, 15 * M)),
                 ("lathe", OCC)]),  # a lab claims its equipment, each with its own buffers
        ([MILL], [("mill", OCC.widen(0 * M, 15 * M))]),  # equipment claims only itself
        ([MILL, LAB], [("mill", OCC.widen(0 * M, 15 * M)), ("lab", OCC.widen(30 * M, 0 * M)),
                       ("lathe", OCC)]),  # bundle: mill claimed once
        ([LATHE, LATHE], [("lathe", OCC)]),  # duplicates in the request collapse
    ],
)
def test_claims_for(requested: list[Resource], expected: list[tuple[str, Interval]]) -> None:
    assert claims_for(requested, CHILDREN, OCC) == expected


@pytest.mark.parametrize(
    ("wanted", "existing", "expected"),
    [
        ([("mill", iv(8, 10))], [("mill", iv(10, 12))], []),  # adjacent claims do not conflict
        ([("mill", iv(8, 10))], [("lathe", iv(8, 10))], []),  # two machines at once are fine
        ([("mill", iv(8, 10))], [("mill", iv(9, 11))], [("mill", 9, 11)]),  # overlap
        ([("mill", iv(8, 10)), ("mill", iv(9, 12))], [("mill", iv(9, 11))],
         [("mill", 9, 11)]),  # reported once
        ([("lab", iv(0, 24))], [("lab", iv(1, 2)), ("lab", iv(0, 30)), ("lab", iv(3, 4))],
         [("lab", 0, 30), ("lab", 1, 2), ("lab", 3, 4)]),  # long existing claim still found
    ],
)
def test_find_conflicts(wanted: list[tuple[str, Interval]], existing: list[tuple[str, Interval]],
                        expected: list[tuple[str, int, int]]) -> None:
    assert find_conflicts(wanted, existing) == [
        ConflictingClaim(r, T0 + timedelta(hours=a), T0 + timedelta(hours=b))
        for r, a, b in expected
    ]


claim = st.tuples(
    st.sampled_from(["a", "b"]),
    st.builds(lambda s, n: iv(s, s + n), st.integers(0, 40), st.integers(0, 8)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(claim, max_size=8), st.lists(claim, max_size=12))
def test_find_conflicts_matches_brute_force(wanted: list[tuple[str, Interval]],
                                             existing: list[tuple[str, Interval]]) -> None:
    brute = {
        (r2, e.start, e.end)
        for r1, w in wanted for r2, e in existing if r1 == r2 and w.overlaps(e)
    }
    assert {(c.resource_id, c.start, c.end) for c in find_conflicts(wanted, existing)} == brute
