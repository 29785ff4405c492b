"""The OpenAPI document says what the server does: a body the server does not need is not
required, free text declares that NUL is refused, and no operation declares a 400."""

from __future__ import annotations

from typing import Any

import httpx


async def _doc(web: httpx.AsyncClient) -> dict[str, Any]:
    return (await web.get("/schema/openapi.json")).json()  # type: ignore[no-any-return]


async def test_booking_decisions_need_no_body(web: httpx.AsyncClient) -> None:
    paths = (await _doc(web))["paths"]
    for action in ("cancel", "approve", "decline"):
        body = paths[f"/api/v1/bookings/{{booking_id}}/{action}"]["post"]["requestBody"]
        assert body["required"] is False
    assert paths["/api/v1/bookings"]["post"]["requestBody"]["required"] is True


async def test_free_text_declares_no_nul_and_no_operation_a_400(web: httpx.AsyncClient) -> None:
    doc = await _doc(web)
    login = doc["components"]["schemas"]["LoginIn"]["properties"]
    assert login["email"]["pattern"] == login["password"]["pattern"] == "^[^\\x00]*$"
    statuses = {code for ops in doc["paths"].values() for op in ops.values()
                if isinstance(op, dict) for code in op.get("responses", {})}
    assert "400" not in statuses and "422" in statuses
