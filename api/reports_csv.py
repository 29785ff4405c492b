"""CSV for the reports: content negotiation (`Accept: text/csv` or `?format=csv`), RFC 4180
rendering with the shown rounding, and the OpenAPI declaration of the CSV alternative."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema

from booking.domain.intervals import Interval
from booking.timefmt import to_local

CSV_MEDIA_TYPE = "text/csv"
"""Litestar adds `; charset=utf-8` to text media types itself: naming it here doubled it."""


def csv_operation(name: str, columns: Sequence[str]) -> type[Operation]:
    """An Operation whose 200 also offers `text/csv` (header row `columns`)."""

    @dataclass
    class _WithCsv(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if isinstance(ok, OpenAPIResponse):
                ok.content = dict(ok.content or {})
                ok.content[CSV_MEDIA_TYPE] = OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING,
                                  description=f"{name}: the rows as CSV, no totals"),
                    example=",".join(columns) + "\r\n",
                )

    return _WithCsv


def wants_csv(request: Request[Any, Any, Any], fmt: str | None) -> bool:
    """`?format=` decides when given, else the Accept header (JSON unless CSV is preferred)."""
    if fmt is not None:
        return fmt == "csv"
    best = request.accept.best_match(["application/json", CSV_MEDIA_TYPE], "application/json")
    return best == CSV_MEDIA_TYPE


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """RFC 4180 CSV (CRLF, decimal point); floats keep their shown precision."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return out.getvalue()


def csv_response(name: str, window: Interval, tz: str, columns: Sequence[str],
                 rows: Iterable[Mapping[str, Any]]) -> Response[Any]:
    """An attachment named after the report and the window's local dates in `tz`."""
    start, end = to_local(window.start, tz), to_local(window.end, tz)
    filename = f"labshare-{name}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return Response(
        content=csv_text(columns, rows), media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
