"""The `labshare` command: migrate, serve (granian), demo, create-user.

`LABSHARE_DATABASE_URL` chooses the database (default: a SQLite file under ./data).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from booking.db import engine as db_engine
from booking.db.migrate import descriptions, migrate

T = TypeVar("T")

DEMO_PASSWORD = "labshare-demo"
DEMO_ACCOUNTS = (
    ("admin@labshare.test", "admin of the platform"),
    ("facility@roc-demo.test", "facility manager of ROC Demo"),
    ("planner@acme.test", "booker of Acme Metaal BV"),
    ("planner@beta.test", "booker of Beta Robotics BV"),
    ("coordinator@regio.test", "coordinator of the demo region"),
)


def _with_database(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the configured engine opened on a fresh event loop; an unusable database
    ends the command with one line naming it (`_checked`)."""

    async def run() -> T:
        engine = db_engine.configure()
        await db_engine.open_engine(engine)
        try:
            return await work()
        finally:
            await db_engine.close_engine(engine)

    return _checked(lambda: asyncio.run(run()))


class DatabaseUnreachable(SystemExit):
    """Startup found no usable database: exit 2 after one line on stderr (no traceback)."""


def _refusal(exc: BaseException) -> str | None:
    """What to tell the operator when `exc` means the configured database cannot be used."""
    import asyncpg

    from booking.db.outage import is_outage

    if isinstance(exc, asyncpg.exceptions.InvalidCatalogNameError):
        return "the database does not exist; create it (createdb) or fix LABSHARE_DATABASE_URL"
    if isinstance(exc, asyncpg.exceptions.InvalidAuthorizationSpecificationError):
        return "the database refused the login; check user and password in LABSHARE_DATABASE_URL"
    if isinstance(exc, ValueError) and "database URL" in str(exc):
        return str(exc)
    if is_outage(exc) or isinstance(exc, OSError):
        todo = ("check that the directory exists and is writable" if db_engine.is_sqlite()
                else "start the database")
        return (f"cannot reach or open it ({exc.__class__.__name__}: {exc}); {todo}, "
                "or point LABSHARE_DATABASE_URL at one that works")
    return None


def _checked(work: Callable[[], T]) -> T:
    """`work()`, but an unusable database ends the command with one line naming it."""
    from booking.db.outage import describe_database

    try:
        with warnings.catch_warnings():  # Piccolo warns (in colour) before raising
            warnings.filterwarnings("ignore", message=".*Unable to")
            return work()
    except Exception as exc:
        why = _refusal(exc)
        if why is None:
            raise
        url = describe_database(db_engine.default_database_url())
        print(f"labshare: database {url}: {why}", file=sys.stderr, flush=True)
        raise DatabaseUnreachable(2) from None


def _migrate() -> None:
    applied = _with_database(migrate)
    if not applied:
        print("database schema: up to date, nothing to change")
        return
    print(f"database schema: applied {len(applied)} change(s):")
    for description in descriptions(applied):
        print(f"  - {description}")


def _serve(host: str, port: int, workers: int) -> None:
    """Serve with granian; migrations already ran, so workers skip them."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["LABSHARE_MIGRATE_ON_STARTUP"] = "0"
    os.environ.setdefault("LABSHARE_DATABASE_URL", db_engine.default_database_url())
    Granian(
        "api.app:create_app",
        address=host,
        port=port,
        workers=max(1, workers),
        interface=Interfaces.ASGI,
        factory=True,
        log_access=False,
    ).serve()


def cmd_migrate(args: argparse.Namespace) -> int:
    _migrate()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _migrate()
    print(f"labshare on http://{args.host}:{args.port}/ ({args.workers} worker(s))", flush=True)
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    try:
        from booking.demo import create_demo
    except ImportError as exc:
        print(f"labshare demo: the demo data module is not available yet ({exc})", file=sys.stderr)
        return 2
    from datetime import UTC, datetime

    _migrate()
    now = datetime.now(UTC).replace(microsecond=0)
    print("creating the demo region (this replaces the database's content)…", flush=True)

    async def build() -> None:
        from booking.settings import get_settings

        await create_demo(resources=args.resources, now=now,
                          photos_dir=get_settings().photos_dir)

    _with_database(build)
    print(f"\nlabshare demo on http://{args.host}:{args.port}/")
    print(f"accounts (password {DEMO_PASSWORD!r}):")
    for email, what in DEMO_ACCOUNTS:
        print(f"  {email:26} {what}")
    print(flush=True)
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from booking.db.accounts_store import find_organisation
    from booking.domain.errors import BookingError
    from booking.domain.roles import Role
    from booking.services import accounts
    from booking.services.organisations import platform_organisation

    async def create() -> str:
        memberships: list[tuple[str, Role]] = []
        if args.org:
            org = await find_organisation(args.org)
            if org is None:
                raise SystemExit(f"no organisation named or with id {args.org!r}")
            memberships.append((str(org["id"]), Role(args.role)))
        elif args.role == Role.ADMIN.value:  # a fresh database's first admin: no --org needed
            memberships.append((await platform_organisation(datetime.now(UTC)), Role.ADMIN))
        return await accounts.create_user(
            email=args.email,
            name=args.name,
            password=args.password,
            now=datetime.now(UTC),
            memberships=memberships,
        )

    try:
        _with_database(migrate)  # a fresh database gets its tables first
        user_id = _with_database(create)
    except BookingError as exc:
        print(f"labshare create-user: {exc}", file=sys.stderr)
        return 1
    print(f"created user {args.email} ({user_id})")
    return 0


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labshare", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)
    serve = sub.add_parser("serve", help="migrate, then serve with granian")
    _server_options(serve)
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="(re)create the demo region, then serve")
    _server_options(demo)
    demo.add_argument("--resources", type=int, default=None, help="grow to about N resources")
    demo.set_defaults(func=cmd_demo)
    user = sub.add_parser("create-user", help="add an account")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--org", help="organisation name or id")
    user.add_argument("--role", default="booker", choices=[r for r in _roles()])
    user.set_defaults(func=cmd_create_user)
    return parser


def _roles() -> list[str]:
    from booking.domain.roles import Role

    return [r.value for r in Role]


def main(argv: Sequence[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
