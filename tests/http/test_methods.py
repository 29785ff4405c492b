"""`Allow` lists exactly what a path serves — on OPTIONS and on 405, for every path of the
OpenAPI document — and a method a path does not serve is a 405, never a 404 page."""

from __future__ import annotations

import re
from typing import Any

import httpx

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _sample_path(template: str, operations: dict[str, Any]) -> str:
    """`template` with each parameter filled by a value of its declared type."""
    types = {p["name"]: p.get("schema", {}).get("type") for op in operations.values()
             if isinstance(op, dict) for p in op.get("parameters", []) if p.get("in") == "path"}
    path = re.sub(r"\{([^}]+)\}", lambda m: "0" if types.get(m[1]) == "integer" else SAMPLE_ID,
                  template)
    return path.replace(f"{SAMPLE_ID}.ics", "x.ics")


def _served(operations: dict[str, Any]) -> list[str]:
    methods = {m.upper() for m in operations if m.upper() in ORDER} | {"OPTIONS"}
    if "GET" in methods:
        methods.add("HEAD")  # HEAD is answered like GET everywhere
    return [m for m in ORDER if m in methods]


async def test_allow_lists_every_documented_method(web: httpx.AsyncClient) -> None:
    paths = (await web.get("/schema/openapi.json")).json()["paths"]
    wrong = []
    for template, operations in paths.items():
        path = _sample_path(template, operations)
        expected = ", ".join(_served(operations))
        options = await web.options(path)
        trace = await web.request("TRACE", path, headers={"accept": "text/html"})
        if options.headers.get("allow") != expected or trace.status_code != 405 or (
                trace.headers.get("allow") != expected):
            wrong.append((template, expected, options.headers.get("allow"),
                          trace.status_code, trace.headers.get("allow")))
    assert not wrong
    assert len(paths) > 30
