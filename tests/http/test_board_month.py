"""The schedule board by month: `view=month` shows the month (not silently a week), in Dutch,
with each resource's bookings per day and its closures, linking to the day."""

from __future__ import annotations

import re

import httpx

from tests.http.test_manage_pages import english_on, school, sign_in

__all__ = ["school"]  # the fixture, shared with the week and day board's tests

MONTH = "/manage/board?view=month&day=2026-03-17"


async def test_the_month_board(web: httpx.AsyncClient, school: dict[str, str]) -> None:
    await sign_in(web)
    page = await web.get(MONTH)
    assert page.status_code == 200
    text = page.text
    assert "maart 2026" in text and 'aria-current="page">Maand<' in text
    assert "Week 1" not in text and "board-ticks" not in text  # not the week board
    assert english_on(text) == set()
    rows = re.findall(r'<th scope="row"><a href="/manage/resources/([0-9a-f-]+)">', text)
    assert rows == [school["lab"], school["lathe"], school["robot"]]  # the lathe in its lab
    robot = text[text.index(f'/manage/resources/{school["robot"]}'):]
    robot = robot[:robot.index("</tr>")]
    cells = re.findall(r"<td[^>]*>", robot)
    assert len(cells) == 31  # every day of March
    third = cells[2]  # Tuesday 3 March: a pending request and maintenance
    assert "mb-pending" in third and "mb-closed" in third
    assert "wacht op goedkeuring" in robot and "Onderhoud" in robot
    assert 'href="/manage/board?view=day&amp;day=2026-03-03"' in robot
    earlier = await web.get("/manage/board?view=month&day=2026-02-01")
    assert "februari 2026" in earlier.text and earlier.text.count('class="mb-held') == 0
