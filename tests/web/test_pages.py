"""The web page in a real browser (Debian's chromium via Playwright) against gunicorn and PostgreSQL.

A dispatcher loads the demo day, sees the board, finds slots, books one and sees it, gets a refusal
that names the tasks it would strand; an installer takes and releases tasks and reads a refusal in
words. What the page shows is compared with what the JSON API answers: the page adds no truth.
"""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import expect
from web_kit import DEMO_DAY, api_get, screenshot, span


def _board(page: Any, base: str) -> None:
    page.goto(f"{base}/days/{DEMO_DAY}")
    expect(page.locator("#board")).to_have_attribute("aria-busy", "false")


def _find(page: Any, duration: int, step: int, skill: str = "") -> None:
    form = page.locator("#find-form")
    form.get_by_label("Duration (min)").fill(str(duration))
    form.get_by_label("Step (min)").select_option(str(step))
    form.get_by_label("Skill").select_option(skill)
    form.get_by_role("button", name="Find slots").click()
    expect(page.locator("#slots-section")).to_be_visible()


def test_the_board_shows_the_day_as_the_api_has_it(page: Any, live_server: str, demo_day: str) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _board(page, live_server)
    # Everything comes from the service itself (no CDN): the page works offline.
    assert requested and all(url.startswith(live_server) for url in requested), requested
    workers = api_get(live_server, "/workers")
    tasks = api_get(live_server, "/tasks", date=demo_day)

    rows = page.locator("#rows .row[data-worker]:not([data-worker=''])")
    expect(rows).to_have_count(len(workers))
    for t in tasks:  # every task of the day, taken ones in their taker's row, the rest in the untaken lane
        row = f".row[data-worker='{t['worker_id']}']" if t["worker_id"] else ".untaken-row"
        block = page.locator(f"{row} [data-task='{t['id']}']")
        expect(block).to_contain_text(span(t))
        expect(block).to_have_class(f"block task {'taken' if t['worker_id'] else 'untaken'}")
    assert page.locator("#rows [data-task]").count() == len(tasks)
    # Shifts as bands, the night after midnight as part of the day, a worker off that day.
    expect(page.locator(".row[data-worker='anna'] .shift")).to_contain_text("09:00–13:00")
    expect(page.locator(".row[data-worker='igor'] .shift")).to_contain_text("20:00–04:00")
    expect(page.locator(".row[data-worker='grigory']")).to_contain_text("no shift")
    expect(page.locator(".untaken-row [data-task='n2']")).to_contain_text("02:30–03:30")
    # The day runs 03:00 to 03:00 (24 h in Moscow), with a marker for "now" (the page's clock: 13:40).
    expect(page.locator("#day-length")).to_have_text("24 h")
    expect(page.locator(".axis .tick").first).to_have_text("03:00")
    expect(page.locator("#now-line")).to_contain_text("now 13:40")
    expect(page.get_by_role("link", name="Next day, Tue 24 Nov")).to_have_attribute("href", "/days/2026-11-24")
    screenshot(page, "board.png", full_page=True)

    page.get_by_role("link", name="Next day, Tue 24 Nov").click()
    expect(page.locator("h1")).to_have_text("Tuesday 24 November 2026")
    expect(page.locator(".row[data-worker='grigory'] [data-task='g1']")).to_contain_text("10:00–12:00")
    expect(page.locator("#now-line")).to_be_hidden()


def test_find_a_slot_draws_exactly_the_apis_free_starts(page: Any, live_server: str, demo_day: str) -> None:
    _board(page, live_server)
    _find(page, 90, 30, "install")
    answer = api_get(live_server, "/slots", date=demo_day, duration_minutes=90, step_minutes=30, skill="install")
    assert answer["slots"], "the demo day has free starts for a 90-minute install"
    expect(page.locator("#slot-list button")).to_have_text([span(s) for s in answer["slots"]])
    expect(page.locator("#free-track button.free")).to_have_count(len(answer["slots"]))
    expect(page.locator("#slots-caption")).to_contain_text(f"{len(answer['slots'])} start(s)")
    screenshot(page, "slots.png", full_page=True)
    page.locator("#free-track button.free").last.click()  # a marker on the board books that start too
    expect(page.get_by_role("dialog")).to_contain_text(span(answer["slots"][-1]))
    page.keyboard.press("Escape")

    page.goto(f"{live_server}/days/2026-11-25")  # nobody works that day
    _find(page, 90, 15)
    assert api_get(live_server, "/slots", date="2026-11-25", duration_minutes=90, step_minutes=15)["slots"] == []
    expect(page.locator("#slot-list button")).to_have_count(0)
    expect(page.locator("#slots-caption")).to_contain_text("No start on this day fits")


def test_book_a_free_start_and_see_it(page: Any, live_server: str, changes_data: str) -> None:
    demo_day = changes_data
    _board(page, live_server)
    _find(page, 90, 30, "install")
    first = page.locator("#slot-list button").first
    chosen = first.inner_text()
    first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Book a 90-minute task (install) on Monday 23 Nov, {chosen}?")
    dialog.get_by_role("button", name="Book").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#status")).to_contain_text(f"{chosen}, install")

    booked = [t for t in api_get(live_server, "/tasks", date=demo_day) if span(t) == chosen and not t["worker_id"]]
    assert len(booked) == 1, booked
    block = page.locator(f".untaken-row [data-task='{booked[0]['id']}']")
    expect(block).to_contain_text(chosen)
    expect(block).to_have_class("block task untaken new")
    # Untaken tasks that overlap in time get lanes of their own: no block hides another.
    boxes = [b.bounding_box() for b in page.locator(".untaken-row [data-task]").all()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
                    or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1), (a, b)
    # The free starts were asked again after the booking and still equal the API's answer.
    answer = api_get(live_server, "/slots", date=demo_day, duration_minutes=90, step_minutes=30, skill="install")
    expect(page.locator("#slot-list button")).to_have_text([span(s) for s in answer["slots"]])


def test_a_refused_booking_says_which_tasks_it_would_strand(page: Any, live_server: str, demo_day: str) -> None:
    _board(page, live_server)
    before = api_get(live_server, "/tasks", date=demo_day)
    # The same request the page sends, made directly: refused, nothing written.
    start = f"{demo_day}T12:00:00+03:00"  # only Boris could, and he is the only one for t2 (12-16)
    direct = requests.post(f"{live_server}/api/v1/tasks", json={"start": start, "duration_minutes": 90,
                                                                 "skill": "install"}, timeout=60)
    assert direct.status_code == 409, direct.text
    stranded = direct.json()["uncovered"]
    assert stranded

    form = page.locator("#book-form")
    form.get_by_label("Start").select_option(start)
    form.get_by_label("Duration (min)").fill("90")
    form.get_by_label("Skill").select_option("install")
    form.get_by_role("button", name="Book…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("12:00–13:30")
    dialog.get_by_role("button", name="Book").click()
    problem = dialog.get_by_role("alert")
    expect(problem).to_contain_text("would leave")
    expect(problem).to_contain_text("nobody could take")
    tasks = {t["id"]: t for t in before}
    expect(problem.locator("li")).to_contain_text([f"{i} {span(tasks[i])}" for i in stranded])
    expect(dialog.get_by_role("button", name="Book")).to_be_hidden()
    screenshot(page, "refusal.png")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert api_get(live_server, "/tasks", date=demo_day) == before

    # At 13:00 nobody free has the skill: the refusal names the new task itself.
    form.get_by_label("Start").select_option(f"{demo_day}T13:00:00+03:00")
    form.get_by_role("button", name="Book…").click()
    dialog.get_by_role("button", name="Book").click()
    expect(problem.locator("li")).to_contain_text(["the task you are booking: nobody free could take it then"])
    page.keyboard.press("Escape")
    assert api_get(live_server, "/tasks", date=demo_day) == before


def test_an_installer_takes_and_releases(page: Any, live_server: str, changes_data: str) -> None:
    demo_day = changes_data
    page.goto(f"{live_server}/workers/anna?week={demo_day}")
    expect(page.locator("h1")).to_have_text("Anna")
    monday = page.locator(f".weekday[data-day='{demo_day}']")
    expect(monday).to_contain_text("Shift 09:00–13:00")
    offer = page.locator("#open-tasks [data-task='t1']")
    expect(offer).to_contain_text("Mon 23 Nov, 10:00–12:00")

    offer.get_by_role("button", name="Take t1").click()
    mine = monday.locator("[data-task='t1']")
    expect(mine).to_contain_text("10:00–12:00")
    expect(page.locator("#status")).to_have_text("You took t1 (10:00–12:00).")
    expect(page.locator("#open-tasks [data-task='t1']")).to_have_count(0)
    assert api_get(live_server, "/tasks/t1")["worker_id"] == "anna"

    mine.get_by_role("button", name="Release t1").click()
    expect(page.locator("#open-tasks [data-task='t1']")).to_be_visible()
    expect(monday.locator("[data-task='t1']")).to_have_count(0)
    assert api_get(live_server, "/tasks/t1")["worker_id"] is None


def test_an_installer_reads_a_refusal_in_words(page: Any, live_server: str, demo_day: str) -> None:
    page.goto(f"{live_server}/workers/elena?week={demo_day}")
    offer = page.locator("#open-tasks [data-task='f2']")  # 08:00-10:00: Elena already holds e1 and e2 then
    offer.get_by_role("button", name="Take f2").click()
    problem = offer.get_by_role("alert")
    expect(problem).to_contain_text("Refused: it clashes with a task you already hold.")
    expect(problem).to_contain_text("e1 08:00–09:30")
    screenshot(page, "installer.png", full_page=True)
    assert api_get(live_server, "/tasks/f2")["worker_id"] is None


def test_usable_by_keyboard(page: Any, live_server: str, demo_day: str) -> None:
    _board(page, live_server)
    page.locator("#find-form").get_by_label("Duration (min)").fill("60")
    page.locator("#find-form").get_by_label("Step (min)").focus()
    page.keyboard.press("Tab")  # to the button, as a keyboard user would
    button = page.locator("#find-form").get_by_role("button", name="Find slots")
    expect(button).to_be_focused()
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")
    chip = page.locator("#slot-list button").first
    expect(chip).to_be_visible()
    chip.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Book")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_usable_on_a_phone(phone: Any, live_server: str, demo_day: str) -> None:
    _board(phone, live_server)
    _find(phone, 90, 30, "install")
    # The page itself does not scroll sideways; the board does, inside its own frame.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.locator(".row[data-worker='anna'] .who")).to_be_in_viewport()
    phone.evaluate("document.querySelector('.legend').scrollIntoView()")
    screenshot(phone, "board-phone.png")
    phone.goto(f"{live_server}/workers/boris?week={demo_day}")
    expect(phone.locator("#open-tasks [data-task='t2']")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_unknown_pages_answer_404(page: Any, live_server: str, demo_day: str) -> None:
    assert requests.get(f"{live_server}/days/23-11-2026", timeout=10).status_code == 404
    page.goto(f"{live_server}/workers/nobody")
    expect(page.locator("#my-week")).to_contain_text("There is no worker “nobody”.")
