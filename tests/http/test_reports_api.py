"""The reports endpoints over HTTP on both databases: the API.md shape, CSV = JSON, defaults,
who may see what, and the OpenAPI declarations."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from booking.domain.reports import USAGE_COLUMNS
from tests.conftest import Backend
from tests.http.conftest import NOW, bearer
from tests.integration.test_reports import WINDOW, World, build_world

RANGE = {"from": WINDOW.start.isoformat(), "to": WINDOW.end.isoformat()}
PATHS = ["utilisation", "companies", "participants", "flow", "heatmap", "open-data", "bookings"]


@pytest.fixture
async def world(db: Backend) -> World:
    return await build_world()


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def same_rows(json_rows: list[dict[str, Any]], csv_rows: list[dict[str, str]]) -> None:
    """CSV cells equal the JSON values (numbers compared as numbers, null as empty)."""
    assert len(json_rows) == len(csv_rows)
    for j, c in zip(json_rows, csv_rows, strict=True):
        assert set(c) <= set(j)
        for name, cell in c.items():
            value = j[name]
            if isinstance(value, bool):
                assert cell == str(value)
            elif isinstance(value, int | float):
                assert float(cell) == value, name
            else:
                assert cell == ("" if value is None else str(value)), name


async def test_utilisation_json_has_the_contract_shape(world: World,
                                                       client: httpx.AsyncClient) -> None:
    headers = await bearer(str(world.coordinator.user_id))
    answer = await client.get("/api/v1/reports/utilisation",
                              params={**RANGE, "group_by": "school"}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"from", "to", "rows", "totals"}
    assert body["from"] == "2027-03-22T08:00:00+01:00" and body["to"] == "2027-04-05T00:00:00+02:00"
    assert [set(r) for r in body["rows"]] == [set(USAGE_COLUMNS)] * 2
    assert body["rows"][1] == {
        "key": world.s1, "label": "ROC Een", "open_hours": 300.0, "booked_hours": 8.0,
        "utilisation": 0.0267, "bookings": 3, "companies": 2, "students": 14, "employees": 2,
    }
    assert body["totals"] == {"open_hours": 394.0, "booked_hours": 11.0, "utilisation": 0.0279,
                              "bookings": 4, "companies": 2, "students": 24, "employees": 4}


@pytest.mark.parametrize("group_by", ["resource", "school", "week", "month"])
async def test_csv_has_the_same_rows_as_json(world: World, client: httpx.AsyncClient,
                                             group_by: str) -> None:
    headers = await bearer(str(world.coordinator.user_id))
    params = {**RANGE, "group_by": group_by}
    as_json = (await client.get("/api/v1/reports/utilisation", params=params,
                                headers=headers)).json()
    as_csv = await client.get("/api/v1/reports/utilisation", params=params,
                              headers={**headers, "Accept": "text/csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert "attachment" in as_csv.headers["content-disposition"]
    assert as_csv.text.splitlines()[0] == ",".join(USAGE_COLUMNS)
    same_rows(as_json["rows"], parse_csv(as_csv.text))  # no totals row
    link = await client.get("/api/v1/reports/utilisation",
                            params={**params, "format": "csv"}, headers=headers)
    assert link.text == as_csv.text


async def test_default_window_is_the_last_30_days(world: World,
                                                  client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/reports/utilisation",
                             headers=await bearer(str(world.admin.user_id)))).json()
    # the test clock: Monday 2 March 2026 08:00 in Amsterdam
    assert (body["from"], body["to"]) == ("2026-01-31T08:00:00+01:00",
                                          "2026-03-02T08:00:00+01:00")


async def test_statuses(world: World, client: httpx.AsyncClient) -> None:
    url = "/api/v1/reports/utilisation"
    manager = await bearer(str(world.manager1.user_id))
    cases: list[tuple[dict[str, str], dict[str, str], int]] = [
        ({}, {}, 401),
        ({"school": world.s2}, manager, 403),
        ({"region": world.region}, manager, 403),
        ({"school": str(uuid.uuid4())}, manager, 404),
        ({"from": "2027-03-22T08:00:00"}, manager, 422),  # naive
        ({"from": RANGE["to"], "to": RANGE["from"]}, manager, 422),
        ({**RANGE, "group_by": "day"}, manager, 422),
        ({"school": "not-a-uuid"}, manager, 422),
        ({"from": "2020-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}, manager, 422),
    ]
    for params, headers, status in cases:
        answer = await client.get(url, params=params, headers=headers)
        assert answer.status_code == status, (params, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_invalid_window_parameters_are_named_as_sent(world: World,
                                                          client: httpx.AsyncClient) -> None:
    headers = await bearer(str(world.manager1.user_id))
    for params, field in [({"from": "garbage"}, "from"), ({"to": "garbage"}, "to"),
                          ({"from": "2027-03-22T08:00:00"}, "from"),
                          ({"to": "1990-01-01T00:00:00Z"}, "to")]:
        answer = await client.get("/api/v1/reports/utilisation", params=params, headers=headers)
        assert answer.status_code == 422, params
        assert [e["field"] for e in answer.json()["errors"]] == [field], answer.text


async def test_totals_are_the_sums_of_the_rows_for_every_grouping(
    world: World, client: httpx.AsyncClient
) -> None:
    """API.md: "`totals` is the sum of the rows, except `companies`, which counts distinct
    companies" — what independent clients check, whatever `group_by` is."""
    headers = await bearer(str(world.coordinator.user_id))
    totals = {}
    for group_by in ("resource", "school", "week", "month"):
        body = (await client.get("/api/v1/reports/utilisation",
                                 params={**RANGE, "group_by": group_by}, headers=headers)).json()
        rows, total = body["rows"], body["totals"]
        for name in ("bookings", "students", "employees"):
            assert total[name] == sum(r[name] for r in rows), (group_by, name)
        for name in ("open_hours", "booked_hours"):  # exact seconds, rounded once per row
            assert total[name] == pytest.approx(sum(r[name] for r in rows),
                                                abs=0.005 * len(rows)), (group_by, name)
        assert total["companies"] == 2, group_by  # X and Y: distinct, not summed
        totals[group_by] = (total["bookings"], total["students"], total["employees"])
    # The series b2 (Y on Lab A, 23 and 30 March) is counted in both week rows, so twice in the
    # week totals; b1 (X on Lab A and Machine C, two schools) twice per resource and per school.
    assert totals == {"resource": (4, 24, 4), "school": (4, 24, 4), "week": (4, 18, 2),
                      "month": (3, 14, 2)}
    # distinct counts (docs/reports.md): the company report counts each booking once
    firms = (await client.get("/api/v1/reports/companies", params=RANGE,
                              headers=headers)).json()["rows"]
    assert tuple(sum(r[n] for r in firms) for n in ("bookings", "students", "employees")) == (
        3, 14, 2)


async def test_a_company_sees_its_own_use(world: World, client: httpx.AsyncClient) -> None:
    headers = await bearer(str(world.booker_y.user_id))
    body = (await client.get("/api/v1/reports/utilisation", params=RANGE,
                             headers=headers)).json()
    assert [(r["label"], r["booked_hours"]) for r in body["rows"]] == [
        ("Machine D (ROC Drie)", 10.0), ("Lab A (ROC Een)", 4.0)]  # by school, then name
    companies = (await client.get("/api/v1/reports/companies", params=RANGE,
                                  headers=headers)).json()
    assert [r["label"] for r in companies["rows"]] == ["Y Robotics NV"]


async def test_companies_participants_heatmap_json_and_csv_agree(
    world: World, client: httpx.AsyncClient
) -> None:
    headers = await bearer(str(world.coordinator.user_id))
    csv_headers = {**headers, "Accept": "text/csv"}
    for path, extra, key in [
        ("companies", {}, "rows"),
        ("participants", {"unit": "week"}, "rows"),
        ("heatmap", {"resource": world.ids["A"]}, "cells"),
        ("bookings", {}, "items"),
    ]:
        params = {**RANGE, **extra}
        as_json = await client.get(f"/api/v1/reports/{path}", params=params, headers=headers)
        as_csv = await client.get(f"/api/v1/reports/{path}", params=params, headers=csv_headers)
        assert as_json.status_code == as_csv.status_code == 200, (path, as_json.text)
        same_rows(as_json.json()[key], parse_csv(as_csv.text))
    companies = (await client.get("/api/v1/reports/companies", params=RANGE,
                                  headers=headers)).json()
    assert [(t["key"], t["companies"], t["booked_hours"]) for t in companies["by_type"]] == [
        ("sme", 1, 7.0), ("other", 1, 4.0)]
    lines = (await client.get("/api/v1/reports/bookings", params=RANGE,
                              headers=headers)).json()["items"]
    assert len(lines) == 9 and {x["company"] for x in lines} == {None}  # aggregates only


async def test_flow(world: World, client: httpx.AsyncClient) -> None:
    params = {"from": "2027-03-01T00:00:00+01:00", "to": "2027-04-01T00:00:00+02:00"}
    body = (await client.get("/api/v1/reports/flow", params=params,
                             headers=await bearer(str(world.coordinator.user_id)))).json()
    assert body["requested"] == 7 and body["expiry_rate"] == 0.5
    assert body["mean_lead_hours"] == 91.29


async def test_open_data_is_public_and_names_no_company(world: World,
                                                        client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/reports/open-data",
                              params={**RANGE, "region": world.region})
    assert answer.status_code == 200
    assert "Metaal" not in answer.text and "Robotics" not in answer.text
    assert world.ids["X"] not in answer.text and world.ids["Y"] not in answer.text
    rows = answer.json()["rows"]
    assert [(r["label"], r["companies"], r["sme_companies"]) for r in rows] == [
        ("HBO Twee", 1, 1), ("ROC Een", 2, 1)]
    as_csv = await client.get("/api/v1/reports/open-data",
                              params={**RANGE, "region": world.region, "format": "csv"})
    same_rows(rows, parse_csv(as_csv.text))
    missing = await client.get("/api/v1/reports/open-data", params={"region": str(uuid.uuid4())})
    assert missing.status_code == 404


async def test_openapi_declares_statuses_and_csv(db: Any, client: httpx.AsyncClient) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    for path in PATHS:
        operation = doc["paths"][f"/api/v1/reports/{path}"]["get"]
        expected = {"200", "404", "422"} | ({"401", "403"} if path != "open-data" else set())
        assert expected <= set(operation["responses"]), path
        if path != "flow":
            assert "text/csv" in operation["responses"]["200"]["content"], path
    params = doc["paths"]["/api/v1/reports/utilisation"]["get"]["parameters"]
    assert {p["name"] for p in params} >= {"from", "to", "school", "region", "group_by"}


@pytest.fixture
async def web(settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the pages mounted, as a browser sees it (HTML accepted)."""
    app = create_app(settings, clock=lambda: NOW, own_engine=False,
                     route_packages=("api.controllers", "frontend.pages"))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.11", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers={"Accept": "text/html"}) as client:
        yield client


def table_values(html: str, table_id: str) -> list[tuple[str, list[float]]]:
    """(row key, [data-value of each numeric cell]) of a page table."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', body, re.S)
    return [(key, [float(v) for v in re.findall(r'data-value="([^"]*)"', cells)])
            for key, cells in rows]


PAGE_RANGE = {"from": "2027-03-22", "to": "2027-04-04"}  # local dates, the last inclusive


async def test_the_page_shows_the_numbers_of_the_api(world: World, client: httpx.AsyncClient,
                                                      web: httpx.AsyncClient) -> None:
    headers = await bearer(str(world.coordinator.user_id))
    page = await web.get("/reports", params=PAGE_RANGE, headers=headers)
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('role="img"') >= 3 and html.count("<desc") >= 3
    # the page's window is whole local days: Monday 22 March 00:00 to Monday 5 April 00:00
    api_range = {"from": "2027-03-22T00:00:00+01:00", "to": "2027-04-05T00:00:00+02:00"}
    weekly = (await client.get("/api/v1/reports/utilisation",
                               params={**api_range, "group_by": "week"},
                               headers=headers)).json()
    assert table_values(html, "weekly-table") == [
        (r["key"], [r["open_hours"], r["booked_hours"], r["utilisation"]])
        for r in weekly["rows"]]
    schools = (await client.get("/api/v1/reports/utilisation",
                                params={**api_range, "group_by": "school"},
                                headers=headers)).json()
    assert table_values(html, "schools-table") == [
        (r["key"], [r[c] for c in USAGE_COLUMNS[2:]]) for r in schools["rows"]]
    people = (await client.get("/api/v1/reports/participants",
                               params={**api_range, "unit": "week"}, headers=headers)).json()
    assert table_values(html, "people-table") == [
        (r["key"], [r["bookings"], r["students"], r["employees"]]) for r in people["rows"]]
    links = re.findall(r'href="(/api/v1/reports/[^"]+)"', html)
    assert any("format=csv" in x and "group_by=week" in x for x in links)
    csv_link = next(x for x in links if "format=csv" in x and "group_by=week" in x)
    as_csv = await client.get(csv_link.replace("&amp;", "&"), headers=headers)
    same_rows(weekly["rows"], parse_csv(as_csv.text))


async def test_pages_in_english_and_for_each_role(world: World,
                                                  web: httpx.AsyncClient) -> None:
    company = await bearer(str(world.booker_x.user_id))
    page = await web.get("/reports", params=PAGE_RANGE,
                         headers={**company, "Accept-Language": "en"})
    assert page.status_code == 200
    assert "Utilisation per week" in page.text and "own bookings" in page.text
    assert "Y Robotics" not in page.text  # a company never sees another company
    dutch = await web.get("/reports", params=PAGE_RANGE,
                          headers={**company, "Accept-Language": "nl"})
    assert "Bezetting per week" in dutch.text
    manager = await bearer(str(world.manager1.user_id))
    heat = await web.get(f"/reports/resources/{world.ids['A']}", params=PAGE_RANGE,
                         headers=manager)
    assert heat.status_code == 200 and 'id="heat-table"' in heat.text
    other = await web.get(f"/reports/resources/{world.ids['C']}", headers=manager)
    assert other.status_code == 403
    listing = await web.get("/reports/resources", params=PAGE_RANGE, headers=manager)
    assert [k for k, _ in table_values(listing.text, "resources-table")] == [
        world.ids["E"], world.ids["A"], world.ids["B"]]
    anonymous = await web.get("/reports")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
