"""Catalogue full-text search (issue 14): one search document per resource, kept by triggers.

The document holds the resource's name (weighted first) and, as its body, the description, the
tags, the school's name and the site's city. Triggers on resources (insert, delete, update of
name, description, tags, site, school), organisations (rename) and sites (city) rewrite it in
the writing statement's own transaction, so no write path can leave it stale; this migration
fills it for the rows already there.
- PostgreSQL: `resource_search(resource, document, words)`: `document` is the `simple` (words
  as written) plus the `dutch` (stems) tsvector, GIN-indexed; `words` the `simple` one alone,
  the vocabulary for suggestions. A TRUNCATE of resources empties it (row triggers do not run).
- SQLite: an FTS5 table with raw and stemmed columns for name and body (`unicode61
  remove_diacritics 2`, prefix indexes) and its `fts5vocab` table (suggestions). The stems
  come from `labshare_stem(text)`, a Python function every connection of ours registers
  (`booking.db.sqlite_functions`), so the triggers stem exactly like `booking.domain.search`.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue full-text search documents"

_BODY = ("COALESCE(r.description, '') || ' ' || COALESCE(CAST(r.tags AS TEXT), '') || ' ' || "
         "COALESCE(o.name, '') || ' ' || COALESCE(s.city, '')")
_FROM = "FROM resources r JOIN organisations o ON o.id = r.school JOIN sites s ON s.id = r.site"


def _sqlite_fill(where: str) -> str:
    return f"""INSERT INTO resource_search (resource, name_raw, name_stem, body_raw, body_stem)
        SELECT CAST(r.id AS TEXT), r.name, labshare_stem(r.name), {_BODY}, labshare_stem({_BODY})
        {_FROM} WHERE {where};"""


def _sqlite_drop(where: str) -> str:
    return f"DELETE FROM resource_search WHERE resource IN (SELECT CAST(id AS TEXT) FROM " \
           f"resources WHERE {where});"


SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS resource_search USING fts5(resource UNINDEXED, "
    "name_raw, name_stem, body_raw, body_stem, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS resource_search_vocab "
    "USING fts5vocab(resource_search, 'col')",
    f"""CREATE TRIGGER IF NOT EXISTS resource_search_insert AFTER INSERT ON resources
        BEGIN {_sqlite_fill("r.id = NEW.id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS resource_search_update AFTER UPDATE OF id, name,
        description, tags, site, school ON resources
        BEGIN DELETE FROM resource_search WHERE resource = CAST(OLD.id AS TEXT);
        {_sqlite_fill("r.id = NEW.id")} END""",
    """CREATE TRIGGER IF NOT EXISTS resource_search_delete AFTER DELETE ON resources
        BEGIN DELETE FROM resource_search WHERE resource = CAST(OLD.id AS TEXT); END""",
    f"""CREATE TRIGGER IF NOT EXISTS resource_search_school AFTER UPDATE OF name ON organisations
        BEGIN {_sqlite_drop("school = NEW.id")} {_sqlite_fill("r.school = NEW.id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS resource_search_site AFTER UPDATE OF city ON sites
        BEGIN {_sqlite_drop("site = NEW.id")} {_sqlite_fill("r.site = NEW.id")} END""",
    "DELETE FROM resource_search",
    _sqlite_fill("1 = 1"),
)

_PG_DOCUMENT = (
    "setweight(to_tsvector('simple', r.name), 'A') || setweight(to_tsvector('dutch', r.name), "
    f"'A') || setweight(to_tsvector('simple', {_BODY}), 'B') || "
    f"setweight(to_tsvector('dutch', {_BODY}), 'B')"
)


def _pg_fill(where: str) -> str:
    return f"""INSERT INTO resource_search (resource, document, words)
        SELECT r.id, {_PG_DOCUMENT}, to_tsvector('simple', r.name || ' ' || {_BODY})
        {_FROM} WHERE {where}
        ON CONFLICT (resource) DO UPDATE SET document = EXCLUDED.document,
            words = EXCLUDED.words;"""


def _pg_function(name: str, body: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN {body} RETURN NULL; END $$"""


POSTGRES_DDL = (
    """CREATE TABLE IF NOT EXISTS resource_search (resource UUID PRIMARY KEY,
        document TSVECTOR NOT NULL, words TSVECTOR NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS resource_search_document ON resource_search USING gin (document)",
    _pg_function("resource_search_resources", f"""
        IF TG_OP <> 'INSERT' THEN DELETE FROM resource_search WHERE resource = OLD.id; END IF;
        IF TG_OP <> 'DELETE' THEN {_pg_fill("r.id = NEW.id")} END IF;"""),
    """CREATE OR REPLACE TRIGGER resource_search_resources
        AFTER INSERT OR DELETE OR UPDATE OF id, name, description, tags, site, school
        ON resources FOR EACH ROW EXECUTE FUNCTION resource_search_resources()""",
    _pg_function("resource_search_truncate", "TRUNCATE resource_search;"),
    """CREATE OR REPLACE TRIGGER resource_search_truncate AFTER TRUNCATE ON resources
        FOR EACH STATEMENT EXECUTE FUNCTION resource_search_truncate()""",
    _pg_function("resource_search_school", _pg_fill("r.school = NEW.id")),
    """CREATE OR REPLACE TRIGGER resource_search_school AFTER UPDATE OF name ON organisations
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
        EXECUTE FUNCTION resource_search_school()""",
    _pg_function("resource_search_site", _pg_fill("r.site = NEW.id")),
    """CREATE OR REPLACE TRIGGER resource_search_site AFTER UPDATE OF city ON sites
        FOR EACH ROW WHEN (OLD.city IS DISTINCT FROM NEW.city)
        EXECUTE FUNCTION resource_search_site()""",
    "DELETE FROM resource_search",
    _pg_fill("TRUE"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_search() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        for ddl in SQLITE_DDL if engine.engine_type == "sqlite" else POSTGRES_DDL:
            await engine.run_ddl(ddl)

    manager.add_raw(create_search)
    return manager
