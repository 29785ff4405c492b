"""The one place that maps errors to HTTP: RFC 9457 problem details (`application/problem+json`).

`booking.domain.errors` → 404/403/422/409/412; the account errors of `booking.services.accounts`
→ 401/429; Litestar's validation errors and every other 400 → 422 with `errors: [{field,
message}]`, each field named as the client sent it (`from`, `If-Match`, `participants.students`,
never a Python name such as `from_`); anything unexpected → 500 (logged), which client input
must never reach; a lost database (`booking.db.outage.is_outage`) → 503 with Retry-After,
never 500. A NotAllowed for an anonymous caller becomes 401 (sign in first), never 403.
Conflicts are shown in the local offset of `request.state.display_tz` (set by a controller that
knows the resource), else the settings' default zone. Policy reasons (`reasons[].message`, the
matching `errors[].message` and `detail`) are in the caller's language (`api.deps.request_locale`,
as `check` answers), through `booking.i18n.reason_message`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from api.deps import request_locale
from api.messages import field_message, our_wording, printable
from api.schemas import (
    PROBLEM_MEDIA_TYPE,
    ConflictOut,
    FieldError,
    Problem,
    ReasonOut,
    title_for,
)
from booking.domain.errors import (
    BookingError,
    Conflict,
    ConflictingClaim,
    Gone,
    IdempotencyInProgress,
    IdempotencyMismatch,
    NotAllowed,
    NotFound,
    Reason,
    RuleViolation,
    StaleVersion,
)
from booking.i18n import DEFAULT_LOCALE, reason_message
from booking.services.accounts import AuthenticationFailed, TooManyAttempts
from booking.services.health import RETRY_AFTER_SECONDS, is_outage
from booking.settings import get_settings
from booking.timefmt import to_local

log = logging.getLogger("labshare.api")

_SLUGS = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    410: "gone",
    412: "stale-version",
    428: "precondition-required",
    422: "validation",
    429: "rate-limited",
    500: "internal",
    503: "unavailable",
}


def problem(
    status: int,
    detail: str = "",
    *,
    slug: str | None = None,
    errors: Sequence[FieldError] | None = None,
    conflicts: Sequence[ConflictOut] | None = None,
    reasons: Sequence[ReasonOut] | None = None,
    retry_after: int | None = None,
) -> Problem:
    return Problem(
        type=f"/problems/{slug or _SLUGS.get(status, 'error')}",
        title=title_for(status),
        status=status,
        detail=detail,
        errors=list(errors) if errors is not None else None,
        conflicts=list(conflicts) if conflicts is not None else None,
        reasons=list(reasons) if reasons is not None else None,
        retry_after=retry_after,
    )


def problem_response(body: Problem, headers: Mapping[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(body),
        status_code=body.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def reasons_out(
    reasons: Sequence[Reason], tz: str, locale: str = DEFAULT_LOCALE
) -> list[ReasonOut]:
    """`reasons` with messages in `locale` and times in the local offset of `tz`."""
    return [
        ReasonOut(
            code=r.code,
            message=reason_message(r, locale),
            start=to_local(r.start, tz) if r.start else None,
            end=to_local(r.end, tz) if r.end else None,
        )
        for r in reasons
    ]


def conflicts_out(conflicts: Sequence[ConflictingClaim], tz: str) -> list[ConflictOut]:
    return [
        ConflictOut(resource_id=c.resource_id, start=to_local(c.start, tz), end=to_local(c.end, tz),
                    booking_id=c.booking_id)
        for c in conflicts
    ]


def _display_tz(request: Request[Any, Any, Any] | None) -> str:
    tz = getattr(request.state, "display_tz", None) if request is not None else None
    return tz or get_settings().default_timezone


def _is_anonymous(request: Request[Any, Any, Any] | None) -> bool:
    if request is None:
        return False
    actor = getattr(request.state, "actor", None)
    return actor is not None and actor.is_anonymous


def _locale(request: Request[Any, Any, Any] | None) -> str:
    return request_locale(request) if request is not None else DEFAULT_LOCALE


def booking_problem(exc: BookingError, request: Request[Any, Any, Any] | None = None) -> Problem:
    """The problem details for a domain or account error (also used for idempotency records).

    Reasons and conflicts speak the caller's language (Dutch without a request)."""
    tz = _display_tz(request)
    if isinstance(exc, NotFound):
        return problem(404, str(exc) or "not found")
    if isinstance(exc, NotAllowed):
        if _is_anonymous(request):
            return problem(401, "sign in first")
        return problem(403, str(exc) or "not allowed")
    if isinstance(exc, RuleViolation):
        field = exc.field_name or "body"
        reasons = reasons_out(exc.reasons, tz, _locale(request))
        return problem(
            422,
            "; ".join(r.message for r in reasons) or str(exc),
            slug="rule-violation",
            errors=[FieldError(field=field, message=r.message) for r in reasons],
            reasons=reasons,
        )
    if isinstance(exc, IdempotencyInProgress):
        detail = str(exc) or "the first request with this Idempotency-Key is still running"
        return problem(409, detail, slug="idempotency-in-progress", conflicts=[])
    if isinstance(exc, Conflict):
        detail = reason_message(Reason("booked", str(exc)), _locale(request))
        return problem(409, detail, conflicts=conflicts_out(exc.conflicts, tz))
    if isinstance(exc, Gone):
        return problem(410, str(exc) or "this link can no longer be used")
    if isinstance(exc, StaleVersion):
        return problem(412, str(exc) or "the booking changed since you read it (If-Match)")
    if isinstance(exc, IdempotencyMismatch):
        detail = str(exc) or "this Idempotency-Key was used with another request body"
        return problem(
            422,
            detail,
            slug="idempotency-mismatch",
            errors=[FieldError(field="Idempotency-Key", message=detail)],
        )
    if isinstance(exc, TooManyAttempts):
        return problem(429, str(exc), retry_after=exc.retry_after)
    if isinstance(exc, AuthenticationFailed):
        return problem(401, str(exc) or "wrong e-mail address or password")
    if isinstance(exc, Gone):
        return problem(410, str(exc) or "this link was used or has expired")
    return problem(422, str(exc) or "the request cannot be processed", errors=[])


def _on_booking_error(request: Request[Any, Any, Any], exc: BookingError) -> Response[Any]:
    body = booking_problem(exc, request)
    headers = {"Retry-After": str(body.retry_after)} if body.retry_after is not None else None
    return problem_response(body, headers)


def field_errors(extra: Any, aliases: Mapping[str, str] | None = None) -> list[FieldError]:
    """Litestar's validation `extra` as `[{field, message}]`; `aliases` maps a handler's
    parameter names to the names the client sends (`from_` → `from`, `data` → `body`)."""
    names = {"data": "body", **(aliases or {})}
    items = extra if isinstance(extra, list) else [extra] if extra else []
    result: list[FieldError] = []
    for item in items:
        if isinstance(item, Mapping):
            field = printable(str(item.get("key") or item.get("source") or "body"))
            result.append(FieldError(field=names.get(field, field),
                                     message=field_message(item)))
        else:
            result.append(FieldError(field="body", message=our_wording(str(item))))
    return result or [FieldError(field="body", message="invalid request")]


_MISSING = re.compile(r"^Missing required (\w+) parameter '([^']+)'")


def _parameters(request: Request[Any, Any, Any]) -> list[Any]:
    """The query, header and cookie parameters of the request's handler (Litestar's
    ParameterDefinitions: field_name, field_alias, is_required, param_type)."""
    try:
        model = request.route_handler.create_kwargs_model(
            path_parameters=dict.fromkeys(request.path_params)  # type: ignore[arg-type]
        )
    except Exception:  # no handler (e.g. 404/405): no parameters to name
        return []
    return [*model.expected_query_params, *model.expected_header_params,
            *model.expected_cookie_params]


def _missing(request: Request[Any, Any, Any], params: Sequence[Any]) -> list[FieldError]:
    """Every required parameter the request lacks (Litestar names only the first)."""
    sources = {"query": request.query_params, "header": request.headers,
               "cookie": request.cookies}
    return [
        FieldError(field=p.field_alias, message=f"the {p.param_type.value} parameter "
                   f"'{p.field_alias}' is required")
        for p in sorted(params, key=lambda p: p.field_alias)
        if p.is_required and p.field_alias not in sources.get(p.param_type.value, {})
    ]


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors: list[FieldError] = []
    params = _parameters(request)
    if not exc.extra and _MISSING.match(exc.detail or ""):
        errors = _missing(request, params)
    if not errors:
        aliases = {p.field_name: p.field_alias for p in params}
        errors = field_errors(exc.extra, aliases)
    return problem_response(problem(422, errors[0].message, errors=errors))


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 400:  # malformed JSON, bad multipart, …: the client's input → 422
        errors = field_errors(exc.extra) if exc.extra else [FieldError("body", exc.detail)]
        return problem_response(problem(422, exc.detail, errors=errors))
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="labshare"')
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
    return problem_response(problem(status, exc.detail), headers)


def unavailable() -> Response[Any]:
    """503 `/problems/unavailable` with Retry-After: the database cannot be reached now."""
    body = problem(503, "the database cannot be reached; try again shortly",
                   retry_after=RETRY_AFTER_SECONDS)
    return problem_response(body, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_outage(exc):
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return unavailable()
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(problem(500, "an unexpected error occurred"))


def _on_undecodable(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    """Litestar decodes a multipart part without a file name as UTF-8 text: a file sent that way
    (or any non-UTF-8 text field) is the client's input, so 422, not 500."""
    message = "a form field is not UTF-8 text (send a file as a part with a filename)"
    return problem_response(problem(422, message, errors=[FieldError("body", message)]))


def exception_handlers() -> ExceptionHandlersMap:
    return {
        BookingError: _on_booking_error,
        ValidationException: _on_validation,
        HTTPException: _on_http,
        UnicodeDecodeError: _on_undecodable,
        Exception: _on_unexpected,
    }

