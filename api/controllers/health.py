"""`GET /healthz`: 200 while the database answers, 503 otherwise."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Response, get

from api.errors import unavailable
from api.schemas import problems
from booking.services.health import check_database

log = logging.getLogger("labshare.api")


class Health(msgspec.Struct):
    status: str = msgspec.field(default="ok")


@get(
    "/healthz",
    tags=["operations"],
    responses=problems(503),
    summary="Liveness and database check",
)
async def healthz() -> Response[Any]:
    """A `SELECT 1` on the database."""
    try:
        await check_database()
    except Exception as exc:  # any driver error means "not healthy"
        log.warning("health check failed: %r", exc)
        return unavailable()
    return Response(Health())


ROUTES: list[Any] = [healthz]
