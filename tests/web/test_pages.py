"""The web page in a real browser (Debian's chromium via Playwright) against gunicorn and PostgreSQL.

A dispatcher loads the demo day, sees the board, finds slots, books one and sees it, gets a refusal
that names the tasks it would strand; an installer takes and releases tasks and reads a refusal in
words. What the page shows is compared with what the JSON API answers: the page adds no truth.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from playwright.sync_api import expect
from web_kit import DEMO_DAY, Api, screenshot, sign_in, span


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


def test_the_board_shows_the_day_as_the_api_has_it(page: Any, live_server: str, demo_day: str, api: Api) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _board(page, live_server)
    # Everything comes from the service itself (no CDN): the page works offline.
    assert requested and all(url.startswith(live_server) for url in requested), requested
    workers = api.get("/workers")
    tasks = api.get("/tasks", date=demo_day)

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


def test_find_a_slot_draws_exactly_the_apis_free_starts(page: Any, live_server: str, demo_day: str, api: Api) -> None:
    _board(page, live_server)
    _find(page, 90, 30, "install")
    answer = api.get("/slots", date=demo_day, duration_minutes=90, step_minutes=30, skill="install")
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
    assert api.get("/slots", date="2026-11-25", duration_minutes=90, step_minutes=15)["slots"] == []
    expect(page.locator("#slot-list button")).to_have_count(0)
    expect(page.locator("#slots-caption")).to_contain_text("No start on this day fits")


def test_book_a_free_start_and_see_it(page: Any, live_server: str, changes_data: str, api: Api) -> None:
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

    booked = [t for t in api.get("/tasks", date=demo_day) if span(t) == chosen and not t["worker_id"]]
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
    answer = api.get("/slots", date=demo_day, duration_minutes=90, step_minutes=30, skill="install")
    expect(page.locator("#slot-list button")).to_have_text([span(s) for s in answer["slots"]])


def _expect_named(problem: Any, stranded: list[str], tasks: dict[str, Any]) -> None:
    """Known tasks with their times; an id the page does not know is the task being booked (the service
    names it by the id it would have had), and when it is the only one the refusal says so in words."""
    if not any(i in tasks for i in stranded):
        expect(problem.locator("p").first).to_have_text("Refused: nobody could take this task at that time.")
        expect(problem.locator(".named-tasks li")).to_have_count(0)
        return
    expect(problem.locator("p").first).to_contain_text("would leave")
    expect(problem.locator(".named-tasks li")).to_contain_text(
        [f"{i} {span(tasks[i])}" if i in tasks else "— the task you are booking: nobody free could take it then"
         for i in stranded])


def test_a_refused_booking_says_which_tasks_it_would_strand(page: Any, live_server: str, demo_day: str,
                                                            api: Api) -> None:
    _board(page, live_server)
    before = api.get("/tasks", date=demo_day)
    # The same request the page sends, made directly: refused, nothing written.
    start = f"{demo_day}T12:00:00+03:00"  # only Boris could, and he is the only one for t2 (12-16)
    direct = api.post("/tasks", {"start": start, "duration_minutes": 90, "skill": "install"})
    assert direct.status_code == 409, direct.text
    stranded = direct.json()["uncovered"]
    why = direct.json()["explain"]  # the start's certificate: the tasks that hold the people then
    assert stranded and why["reason"] == "conflict" and why["tasks"], why

    form = page.locator("#book-form")
    form.get_by_label("Start").select_option(start)
    form.get_by_label("Duration (min)").fill("90")
    form.get_by_label("Skill").select_option("install")
    form.get_by_role("button", name="Book…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("12:00–13:30")
    dialog.get_by_role("button", name="Book").click()
    problem = dialog.get_by_role("alert")
    tasks = {t["id"]: t for t in before}
    _expect_named(problem, stranded, tasks)
    names = ", ".join(w["name"] for w in api.get("/workers") if w["id"] in why["workers"])
    expect(problem.locator(".why")).to_have_text(
        f"Why: at 12:00–13:30 these tasks hold the people who could do it ({names}):")
    expect(problem.locator(".why-tasks li")).to_contain_text([f"{i} {span(tasks[i])}" for i in why["tasks"]])
    expect(dialog.get_by_role("button", name="Book")).to_be_hidden()
    screenshot(page, "refusal.png")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert api.get("/tasks", date=demo_day) == before

    # At 13:00 too: the page names what the service names.
    start = f"{demo_day}T13:00:00+03:00"
    direct = api.post("/tasks", {"start": start, "duration_minutes": 90, "skill": "install"})
    assert direct.status_code == 409, direct.text
    form.get_by_label("Start").select_option(start)
    form.get_by_role("button", name="Book…").click()
    dialog.get_by_role("button", name="Book").click()
    _expect_named(problem, direct.json()["uncovered"], tasks)
    page.keyboard.press("Escape")
    assert api.get("/tasks", date=demo_day) == before


def test_an_installer_takes_and_releases(page: Any, live_server: str, changes_data: str, api: Api,
                                         tokens: dict[str, str]) -> None:
    demo_day = changes_data
    sign_in(page, live_server, tokens["anna"])
    page.goto(f"{live_server}/")  # an installer's home is their own week
    expect(page).to_have_url(f"{live_server}/workers/anna")
    page.goto(f"{live_server}/workers/anna?week={demo_day}")
    expect(page.locator("#signed-in")).to_have_text("installer anna")
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
    assert api.get("/tasks/t1")["worker_id"] == "anna"

    mine.get_by_role("button", name="Release t1").click()
    expect(page.locator("#open-tasks [data-task='t1']")).to_be_visible()
    expect(monday.locator("[data-task='t1']")).to_have_count(0)
    assert api.get("/tasks/t1")["worker_id"] is None

    # Only for themself: another installer's week is not open to her, nor a take in his name.
    page.goto(f"{live_server}/workers/boris?week={demo_day}")
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("#forbidden-reason")).to_contain_text("You are signed in as installer (anna)")
    page.get_by_role("link", name="Go to my week").click()
    expect(page).to_have_url(f"{live_server}/workers/anna")
    csrf = page.evaluate("JSON.parse(document.getElementById('page-data').textContent).csrf")
    as_boris = page.evaluate("""async (csrf) => (await fetch('/api/v1/tasks/t1/take', {method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
        body: JSON.stringify({worker_id: 'boris'})})).status""", csrf)
    assert as_boris == 403
    no_csrf = page.evaluate("""async () => (await fetch('/api/v1/tasks/t1/take', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({worker_id: 'anna'})})).status""")
    assert no_csrf == 403  # a change with the cookie alone (as a forged cross-site request would be) is refused
    assert api.get("/tasks/t1")["worker_ids"] == []


def test_an_installer_is_offered_what_the_service_says_they_can_take(
        page: Any, live_server: str, changes_data: str, api: Api, tokens: dict[str, str]) -> None:
    demo_day = changes_data
    sign_in(page, live_server, tokens["boris"])
    page.goto(f"{live_server}/workers/boris?week={demo_day}")
    week = [d["date"] for d in page.evaluate("JSON.parse(document.getElementById('page-data').textContent).days")]
    offered = [t for d in week for t in api.get("/workers/boris/takeable", date=d)["takeable"]]
    assert "t1" in offered
    expect(page.locator("#open-tasks [data-task]")).to_have_count(len(offered))
    assert page.locator("#open-tasks [data-task]").evaluate_all("ls => ls.map(l => l.dataset.task)") == offered
    # The calendar subscription link: his shifts and tasks as iCalendar, read with his session.
    expect(page.locator("#calendar-link")).to_have_attribute("href", "/api/v1/workers/boris/calendar.ics")
    ics = page.context.request.get(f"{live_server}/api/v1/workers/boris/calendar.ics?from={demo_day}T00:00")
    assert ics.status == 200 and f"{demo_day.replace('-', '')}T090000" in ics.text(), ics.text()[:300]
    # The phone's link carries a read-only calendar token: fetched with no session and no header, as an app does.
    page.get_by_role("button", name="Link for my phone's calendar").click()
    link = page.locator("#phone-url-value")
    expect(link).to_have_value(re.compile(r"/api/v1/workers/boris/calendar\.ics\?token=sp_"))  # after the POST
    phone_url = link.input_value()
    feed = requests.get(f"{phone_url}&from={demo_day}T00:00", timeout=10)
    assert feed.status_code == 200 and f"{demo_day.replace('-', '')}T090000" in feed.text

    # A refusal in words: another installer takes the only seat of t1 first (a race), then he presses Take.
    other = Api(live_server, tokens["anna"]).post("/tasks/t1/take", {"worker_id": "anna"})
    assert other.status_code == 200, other.text
    offer = page.locator("#open-tasks [data-task='t1']")
    offer.get_by_role("button", name="Take t1").click()
    problem = offer.get_by_role("alert")
    expect(problem).to_contain_text("Refused: every seat of it is already taken.")
    screenshot(page, "installer.png", full_page=True)
    assert api.get("/tasks/t1")["worker_ids"] == ["anna"]


def test_usable_by_keyboard(page: Any, live_server: str, demo_day: str) -> None:
    _board(page, live_server)
    page.locator("#find-form").get_by_label("Duration (min)").fill("60")
    page.locator("#find-form").get_by_label("Days").focus()
    page.keyboard.press("Tab")  # from the last field to the button, as a keyboard user would
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
    assert page.request.get(f"{live_server}/days/23-11-2026").status == 404
    page.goto(f"{live_server}/workers/nobody")
    expect(page.locator("#my-week")).to_contain_text("There is no worker “nobody”.")


def test_a_planner_reads_but_cannot_book(page: Any, live_server: str, demo_day: str, api: Api,
                                         tokens: dict[str, str]) -> None:
    sign_in(page, live_server, tokens["planner"])
    before = api.get("/tasks", date=demo_day)
    _board(page, live_server)
    expect(page.locator("#signed-in")).to_have_text("planner")
    _find(page, 90, 30, "install")  # planners may ask
    expect(page.locator("#slot-list button").first).to_be_visible()
    page.locator("#slot-list button").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Book").click()
    problem = dialog.get_by_role("alert")
    expect(problem).to_contain_text("Not allowed for you (signed in as planner).")
    expect(problem).to_contain_text("Role planner may not POST /api/v1/tasks.")
    expect(problem.get_by_role("link", name="Sign in")).to_be_visible()
    page.keyboard.press("Escape")
    assert api.get("/tasks", date=demo_day) == before


def test_a_crew_is_found_over_days_booked_and_its_seats_taken(page: Any, live_server: str, changes_data: str,
                                                               api: Api, tokens: dict[str, str]) -> None:
    demo_day = changes_data
    _board(page, live_server)
    form = page.locator("#find-form")
    form.get_by_label("Crew").fill("install:2")
    form.get_by_label("Days").select_option("3")
    _find(page, 60, 30)
    answer = api.get("/slots/next", **{"from": demo_day}, days=3, duration_minutes=60, step_minutes=30,
                     crew="install:2", limit=12)
    assert answer["slots"], "the demo day has room for a two-installer hour"
    expect(page.locator("#slot-list button")).to_have_text(
        [f"{'Mon 23 Nov' if s['date'] == demo_day else s['date']} {span(s)}" for s in answer["slots"]])
    expect(page.locator("#slots-caption")).to_contain_text("in the 3 days from Monday 23 Nov")
    expect(page.locator("#slots-caption")).to_contain_text("crew install ×2")
    screenshot(page, "crew-slots.png", full_page=True)

    first = answer["slots"][0]
    page.locator("#slot-list button").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Book a 60-minute task (crew install ×2) on Monday 23 Nov, {span(first)}?")
    dialog.get_by_role("button", name="Book").click()
    expect(dialog).to_be_hidden()
    booked = [t for t in api.get("/tasks", date=demo_day) if t["crew"] == [{"skill": "install", "count": 2}]]
    assert len(booked) == 1 and booked[0]["worker_ids"] == [], booked
    crew_task = booked[0]["id"]
    block = page.locator(f".untaken-row [data-task='{crew_task}']")
    expect(block).to_have_attribute("data-seats", "0/2")
    expect(block).to_contain_text(f"{crew_task} · install ×2")
    expect(block).to_contain_text("2 of 2 open")

    # An installer the service offers it to takes one seat from his week.
    taker = next(w for w in ("anna", "boris")
                 if crew_task in api.get(f"/workers/{w}/takeable", date=demo_day)["takeable"])
    sign_in(page, live_server, tokens[taker])
    page.goto(f"{live_server}/workers/{taker}?week={demo_day}")
    offer = page.locator(f"#open-tasks [data-task='{crew_task}']")
    expect(offer).to_contain_text("0/2 seats held")
    offer.get_by_role("button", name=f"Take {crew_task}").click()
    expect(page.locator(f".weekday[data-day='{demo_day}'] [data-task='{crew_task}']")).to_contain_text("1/2 seats held")
    assert api.get(f"/tasks/{crew_task}")["worker_ids"] == [taker]

    # The board shows the held seat in his row and the open one in the untaken lane.
    sign_in(page, live_server, tokens["manager"])
    _board(page, live_server)
    held = page.locator(f".row[data-worker='{taker}'] [data-task='{crew_task}']")
    expect(held).to_have_class("block task taken")
    expect(held).to_contain_text("1/2 held")
    expect(page.locator(f".untaken-row [data-task='{crew_task}']")).to_contain_text("1 of 2 open")
    screenshot(page, "crew-board.png", full_page=True)
