"""Initial schema: every table, plus the database-enforced no-overlap guarantee on claims.

The tables are created from `initial_tables_<backend>.sql` beside this file: the DDL Piccolo
generated from `booking.db.tables` when this migration was frozen, so that a later change of
`tables.py` (which belongs in a later migration) cannot silently change what this one builds.
The guarantee is raw SQL per backend:
- PostgreSQL: an exclusion constraint (btree_gist) on active claims,
  `resource WITH =, int8range(start_s, end_s) WITH &&`;
- SQLite: BEFORE INSERT/UPDATE triggers that abort with `booking_overlap`; writers take the
  write lock first (`BEGIN IMMEDIATE`), so check and insert cannot interleave.

It also keeps `report_uses`, the reports' booked-use rows (issue 6): one row per occurrence x
booked resource of every *confirmed* booking, with epoch seconds, the resource's school, the
company and the participants copied in. Triggers on bookings, occurrences, booking_resources
(and resources, for the school) keep it equal to that join on every write path; `solo` marks
the row of a booking that has exactly one (the common single-session, single-resource booking),
which the reports aggregate in index order without grouping per booking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-11-27T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema and the no-overlap guarantee"

_OVERLAP = """
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM claims AS c
        WHERE c.resource = NEW.resource AND c.active AND c.id != NEW.id
          AND c.end_s > NEW.start_s AND c.start_s < NEW.end_s
    );
"""
_EMPTY = "SELECT RAISE(ABORT, 'claim_empty') WHERE NEW.start_s >= NEW.end_s;"

# -- report_uses: what booked_uses() in booking/db/reports_store.py reads --------------------
_REPORT_TABLE = """CREATE TABLE IF NOT EXISTS report_uses (
    occurrence UUID NOT NULL, booking_resource UUID NOT NULL, booking UUID, resource UUID,
    school UUID, organisation UUID, start_s BIGINT, end_s BIGINT, students INTEGER,
    employees INTEGER, solo INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (occurrence, booking_resource))"""
# nothing here may reject a booking write: no NOT NULL beyond the key, no foreign keys (the
# triggers delete, and PostgreSQL's TRUNCATE triggers empty, what the join no longer yields)
_REPORT_INDEXES = (
    _REPORT_TABLE,
    "CREATE INDEX IF NOT EXISTS report_uses_booking ON report_uses (booking, solo)",
    "CREATE INDEX IF NOT EXISTS report_uses_resource ON report_uses (resource)",
    # per resource / school: solo rows in (school, resource, company) order, covering
    "CREATE INDEX IF NOT EXISTS report_uses_by_resource ON report_uses (solo, school, resource, "
    "organisation, start_s, end_s, students, employees)",
    # per period and the other rows: by time, covering
    "CREATE INDEX IF NOT EXISTS report_uses_by_time ON report_uses (solo, start_s, end_s, "
    "school, resource, organisation, booking, students, employees)",
)


def _report_rows(epoch: str, where: str, upsert: str = "") -> str:
    """INSERT the join's rows satisfying `where` (b bookings, o occurrences, br, r resources)."""
    return f"""INSERT INTO report_uses (occurrence, booking_resource, booking, resource, school,
            organisation, start_s, end_s, students, employees)
        SELECT o.id, br.id, b.id, br.resource, r.school, b.organisation,
               {epoch.format("o.starts_at")}, {epoch.format("o.ends_at")}, b.students,
               b.employees
        FROM bookings b JOIN occurrences o ON o.booking = b.id
        JOIN booking_resources br ON br.booking = b.id
        LEFT JOIN resources r ON r.id = br.resource
        WHERE b.status = 'confirmed' AND {where}{upsert};"""


def _report_solo(booking: str) -> str:
    """Mark the rows of `booking`: solo exactly when it has one row."""
    return f"""UPDATE report_uses SET solo = CASE WHEN (
            SELECT COUNT(*) FROM report_uses WHERE booking = {booking}) = 1 THEN 1 ELSE 0 END
        WHERE booking = {booking};"""


_SQLITE_EPOCH = "CAST(strftime('%s', {}) AS INTEGER)"


def _sqlite_report_triggers() -> tuple[str, ...]:
    rows = lambda where: _report_rows(_SQLITE_EPOCH, where)  # noqa: E731
    refresh = lambda b: (f"DELETE FROM report_uses WHERE booking = {b}; "  # noqa: E731
                         + rows(f"b.id = {b}") + _report_solo(b))
    return (
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_booking_insert AFTER INSERT ON bookings
            WHEN NEW.status = 'confirmed' BEGIN {refresh("NEW.id")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_booking_update AFTER UPDATE OF id, status,
            organisation, students, employees ON bookings
            WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
            BEGIN DELETE FROM report_uses WHERE booking = OLD.id; {refresh("NEW.id")} END""",
        """CREATE TRIGGER IF NOT EXISTS report_uses_booking_delete AFTER DELETE ON bookings
            BEGIN DELETE FROM report_uses WHERE booking = OLD.id; END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_occurrence_insert AFTER INSERT ON occurrences
            BEGIN {rows("o.id = NEW.id")} {_report_solo("NEW.booking")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_occurrence_update AFTER UPDATE OF id, booking,
            starts_at, ends_at ON occurrences
            BEGIN DELETE FROM report_uses WHERE occurrence = OLD.id; {rows("o.id = NEW.id")}
            {_report_solo("OLD.booking")} {_report_solo("NEW.booking")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_occurrence_delete AFTER DELETE ON occurrences
            BEGIN DELETE FROM report_uses WHERE occurrence = OLD.id;
            {_report_solo("OLD.booking")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_resource_insert AFTER INSERT
            ON booking_resources
            BEGIN {rows("br.id = NEW.id")} {_report_solo("NEW.booking")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_resource_update AFTER UPDATE OF id, booking,
            resource ON booking_resources
            BEGIN DELETE FROM report_uses WHERE booking_resource = OLD.id; {rows("br.id = NEW.id")}
            {_report_solo("OLD.booking")} {_report_solo("NEW.booking")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS report_uses_resource_delete AFTER DELETE
            ON booking_resources
            BEGIN DELETE FROM report_uses WHERE booking_resource = OLD.id;
            {_report_solo("OLD.booking")} END""",
        """CREATE TRIGGER IF NOT EXISTS report_uses_school AFTER UPDATE OF school ON resources
            BEGIN UPDATE report_uses SET school = NEW.school WHERE resource = NEW.id; END""",
    )


_PG_EPOCH = "CAST(EXTRACT(EPOCH FROM {}) AS BIGINT)"


def _postgres_report_triggers() -> tuple[str, ...]:
    rows = lambda where: _report_rows(_PG_EPOCH, where)  # noqa: E731
    functions = {
        "bookings": f"""
            IF TG_OP <> 'INSERT' THEN DELETE FROM report_uses WHERE booking = OLD.id; END IF;
            IF TG_OP <> 'DELETE' AND NEW.status = 'confirmed' THEN
                {rows("b.id = NEW.id")} {_report_solo("NEW.id")}
            END IF;""",
        "occurrences": f"""
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM report_uses WHERE occurrence = OLD.id; {_report_solo("OLD.booking")}
            END IF;
            IF TG_OP <> 'DELETE' THEN {rows("o.id = NEW.id")} {_report_solo("NEW.booking")}
            END IF;""",
        "booking_resources": f"""
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM report_uses WHERE booking_resource = OLD.id;
                {_report_solo("OLD.booking")}
            END IF;
            IF TG_OP <> 'DELETE' THEN {rows("br.id = NEW.id")} {_report_solo("NEW.booking")}
            END IF;""",
    }
    ddl: list[str] = []
    for table, body in functions.items():
        ddl.append(f"""CREATE OR REPLACE FUNCTION report_uses_{table}() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$""")
        columns = {"bookings": "id, status, organisation, students, employees",
                   "occurrences": "id, booking, starts_at, ends_at",
                   "booking_resources": "id, booking, resource"}[table]
        ddl.append(f"""CREATE OR REPLACE TRIGGER report_uses_{table}
            AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table}
            FOR EACH ROW EXECUTE FUNCTION report_uses_{table}()""")
        ddl.append(f"""CREATE OR REPLACE TRIGGER report_uses_{table}_truncate
            AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION report_uses_truncate()""")
    return (
        """CREATE OR REPLACE FUNCTION report_uses_truncate() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN TRUNCATE report_uses; RETURN NULL; END $$""",
        *ddl,
        """CREATE OR REPLACE FUNCTION report_uses_school() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN UPDATE report_uses SET school = NEW.school WHERE resource = NEW.id;
            RETURN NULL; END $$""",
        """CREATE OR REPLACE TRIGGER report_uses_school AFTER UPDATE OF school ON resources
            FOR EACH ROW WHEN (OLD.school IS DISTINCT FROM NEW.school)
            EXECUTE FUNCTION report_uses_school()""",
    )


SQLITE_DDL = (
    f"""CREATE TRIGGER IF NOT EXISTS claims_no_overlap_insert
        BEFORE INSERT ON claims WHEN NEW.active
        BEGIN {_EMPTY} {_OVERLAP} END""",
    f"""CREATE TRIGGER IF NOT EXISTS claims_no_overlap_update
        BEFORE UPDATE OF active, start_s, end_s, resource ON claims WHEN NEW.active
        BEGIN {_EMPTY} {_OVERLAP} END""",
    *_sqlite_report_triggers(),
)

POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE claims ADD CONSTRAINT claims_nonempty CHECK (start_s < end_s)",
    "ALTER TABLE claims ADD CONSTRAINT claims_no_overlap EXCLUDE USING gist "
    "(resource WITH =, int8range(start_s, end_s) WITH &&) WHERE (active)",
    *_postgres_report_triggers(),
)

COMMON_DDL = (
    # what availability and the board read: a resource's active claims ending after a moment
    "CREATE INDEX IF NOT EXISTS claims_active_resource_end ON claims (resource, end_s) "
    "WHERE active",
    "CREATE UNIQUE INDEX IF NOT EXISTS idempotency_org_key "
    "ON idempotency_records (organisation, key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS partnerships_pair ON partnerships (school, company)",
    "CREATE UNIQUE INDEX IF NOT EXISTS memberships_triple "
    "ON memberships (user, organisation, role)",
    "CREATE INDEX IF NOT EXISTS claims_booking ON claims (booking)",
    "CREATE INDEX IF NOT EXISTS occurrences_booking_position ON occurrences (booking, position)",
    *_REPORT_INDEXES,
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_schema() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        tables = Path(__file__).with_name(f"initial_tables_{engine.engine_type}.sql").read_text()
        for statement in tables.split(";\n"):
            body = "\n".join(ln for ln in statement.splitlines() if not ln.startswith("--"))
            if body.strip():
                await engine.run_ddl(body)
        specific = SQLITE_DDL if engine.engine_type == "sqlite" else POSTGRES_DDL
        for ddl in (*COMMON_DDL, *specific):
            await engine.run_ddl(ddl.replace("(user,", '("user",'))

    manager.add_raw(create_schema)
    return manager
