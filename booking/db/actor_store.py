"""Who a user is: memberships with organisation kinds and names, partnerships, regions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from booking.db.sql import Row, Stmt, fetch, fetch_batch, fetch_one, placeholders
from booking.domain.roles import Membership, OrgKind, Role


def active_partnership(param: str, alias: str = "") -> str:
    """SQL: the partnership (table alias `alias`) is valid on the date in placeholder `param`.

    The one home of partnership validity: every read that decides price or access on
    partnerships (the actor, booking prices, feeds) filters with this. Dates are inclusive,
    null means open-ended."""
    col = f"{alias}." if alias else ""
    return (f"({col}valid_from IS NULL OR {col}valid_from <= {param}) "
            f"AND ({col}valid_to IS NULL OR {col}valid_to >= {param})")


async def memberships(user_id: str) -> list[Membership]:
    rows = await fetch(
        "SELECT m.organisation, m.role, o.kind, o.name FROM memberships m "
        'JOIN organisations o ON o.id = m.organisation WHERE m."user" = $1 '
        "ORDER BY o.name, m.role",
        user_id,
    )
    return [
        Membership(str(r["organisation"]), OrgKind(r["kind"]), Role(r["role"]), r["name"])
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ActorRows:
    """Everything an Actor is built from, read in one batch."""

    memberships: list[Membership]
    partnerships: frozenset[tuple[str, str]]
    region_schools: dict[str, frozenset[str]]


async def actor_rows(user_id: str, today: date) -> ActorRows | None:
    """The user's memberships, its companies' partnerships valid on `today` and its regions'
    schools in ONE batch (one thread hop on SQLite; subqueries find the companies and regions);
    None for an unknown or inactive user."""
    mine = 'SELECT organisation FROM memberships WHERE "user" = $1 AND role = '
    active, members, pairs, schools = await fetch_batch([
        Stmt("SELECT is_active FROM users WHERE id = $1", [user_id], tuples=True),
        Stmt(
            "SELECT CAST(m.organisation AS TEXT), m.role, o.kind, o.name FROM memberships m "
            'JOIN organisations o ON o.id = m.organisation WHERE m."user" = $1 '
            "ORDER BY o.name, m.role",
            [user_id], tuples=True,
        ),
        Stmt(
            "SELECT CAST(company AS TEXT), CAST(school AS TEXT) FROM partnerships "
            'WHERE company IN (SELECT organisation FROM memberships WHERE "user" = $1 '
            f"AND role IN ('booker', 'company_admin')) AND {active_partnership('$2')}",
            [user_id, today], tuples=True,
        ),
        Stmt(
            "SELECT CAST(id AS TEXT), CAST(region AS TEXT) FROM organisations "
            f"WHERE kind = 'school' AND region IN ({mine}'coordinator')",
            [user_id], tuples=True,
        ),
    ])
    if not active or not active[0][0]:
        return None
    found: dict[str, set[str]] = {
        org: set() for org, role, _, _ in members if role == Role.COORDINATOR
    }
    for school, region in schools:
        found.setdefault(region, set()).add(school)
    return ActorRows(
        memberships=[Membership(org, OrgKind(kind), Role(role), name)
                     for org, role, kind, name in members],
        partnerships=frozenset((c, s) for c, s in pairs),
        region_schools={k: frozenset(v) for k, v in found.items()},
    )


async def partnerships(
    company_ids: Sequence[str], today: date
) -> frozenset[tuple[str, str]]:
    """`(company_id, school_id)` pairs of the given companies, valid on `today`."""
    if not company_ids:
        return frozenset()
    n = len(company_ids)
    rows = await fetch(
        "SELECT company, school FROM partnerships "
        f"WHERE company IN ({placeholders(n)}) AND {active_partnership(f'${n + 1}')}",
        *company_ids, today,
    )
    return frozenset((str(r["company"]), str(r["school"])) for r in rows)


async def region_schools(region_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    if not region_ids:
        return {}
    rows = await fetch(
        "SELECT id, region FROM organisations "
        f"WHERE kind = 'school' AND region IN ({placeholders(len(region_ids))})",
        *region_ids,
    )
    found: dict[str, set[str]] = {r: set() for r in region_ids}
    for row in rows:
        found[str(row["region"])].add(str(row["id"]))
    return {k: frozenset(v) for k, v in found.items()}


async def company_info(company_id: str) -> tuple[str, bool] | None:
    """(name, is_sme) of a company, None when it is no company."""
    row = await fetch_one(
        "SELECT name, is_sme FROM organisations WHERE id = $1 AND kind = 'company'", company_id
    )
    return None if row is None else (row["name"], bool(row["is_sme"]))


def company_terms_stmt(company_id: str, today: date) -> Stmt:
    """The company's name, SME flag and the schools it is a partner of on `today`."""
    return Stmt(
        "SELECT o.name, o.is_sme, p.school FROM organisations o "
        f"LEFT JOIN partnerships p ON p.company = o.id AND {active_partnership('$2', 'p')} "
        "WHERE o.id = $1 AND o.kind = 'company'",
        [company_id, today],
    )


def company_terms_from_rows(rows: list[Row]) -> tuple[str, bool, frozenset[str]] | None:
    """(name, is_sme, partner school ids) of a company; None when it is no company."""
    if not rows:
        return None
    schools = frozenset(str(r["school"]) for r in rows if r["school"] is not None)
    return rows[0]["name"], bool(rows[0]["is_sme"]), schools
