"""`api.flights`: identical slot queries asked at once share one solve, and the shared answer is read after
every one of them arrived (never an answer older than the question); a query after the leader has its turn
starts a flight of its own; a leader's error reaches every member; a member does not wait for ever."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from api import service, timing
from api.errors import Busy
from api.flights import FLIGHTS_KEY, Flights
from api.limits import SLOT_TURN_KEY
from tests.api.service_kit import DAY, WatchedTurns, add_worker, at


def _until(condition: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, what
        time.sleep(0.005)


def _members(flights: Flights, key: object) -> int:
    flight = flights._open.get(key)  # noqa: SLF001 -- the test watches who has joined
    return -1 if flight is None else flight.members


def test_a_query_arriving_while_the_leader_waits_joins_it_and_one_after_the_seal_leads_its_own() -> None:
    flights, go, calls, answers = Flights(), threading.Event(), [], []
    sealed: list[bool] = []

    def lead(seal: Callable[[], bool]) -> str:
        calls.append(1)
        go.wait(10)  # waiting for the turn
        sealed.append(seal())
        return f"answer {len(calls)}"

    first = threading.Thread(target=lambda: answers.append(flights.share("k", lead, wait=10)))
    first.start()
    _until(lambda: _members(flights, "k") == 0, "the leader never opened its flight")
    second = threading.Thread(target=lambda: answers.append(flights.share("k", lead, wait=10)))
    second.start()
    _until(lambda: _members(flights, "k") == 1, "the second query never joined")
    go.set()
    first.join(10)
    second.join(10)
    assert answers == ["answer 1", "answer 1"] and len(calls) == 1
    assert sealed == [True]  # the leader learns that someone joined, so it reads the day again
    assert flights.share("k", lead, wait=10) == "answer 2" and sealed[-1] is False  # sealed: a flight of its own
    assert flights.share("other", lambda seal: "other", wait=10) == "other"


def test_the_leaders_error_reaches_every_member_and_a_member_waits_no_longer_than_told() -> None:
    flights, go, outcomes = Flights(), threading.Event(), []

    def failing(seal: Callable[[], bool]) -> str:
        go.wait(10)
        raise Busy("no turn came", retry_after=1)

    def ask(wait: float) -> None:
        try:
            outcomes.append(flights.share("k", failing, wait=wait))
        except Busy as exc:
            outcomes.append(exc.detail)

    leader = threading.Thread(target=ask, args=(10,))
    leader.start()
    _until(lambda: _members(flights, "k") == 0, "the leader never opened its flight")
    impatient = threading.Thread(target=ask, args=(0.05,))
    impatient.start()
    impatient.join(10)
    assert len(outcomes) == 1 and "identical query" in str(outcomes[0])
    member = threading.Thread(target=ask, args=(10,))
    member.start()
    _until(lambda: _members(flights, "k") == 2, "the member never joined")  # noqa: PLR2004
    go.set()
    leader.join(10)
    member.join(10)
    assert sum("no turn came" in str(o) for o in outcomes) == 2  # noqa: PLR2004 -- leader and member
    assert _members(flights, "k") == -1  # nothing left open


def test_identical_slot_queries_waiting_at_once_get_one_answer_read_after_both_arrived(
        app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    solved: list[int] = []
    answer = service._day_slots  # noqa: SLF001 -- counting the solves
    monkeypatch.setattr(service, "_day_slots", lambda *a, **k: solved.append(1) or answer(*a, **k))
    turns = app.extensions[SLOT_TURN_KEY] = WatchedTurns(app.extensions[SLOT_TURN_KEY])
    flights = app.extensions[FLIGHTS_KEY]
    url = f"/api/v1/slots?date={DAY}&duration_minutes=60&step_minutes=60"
    empty = client.get(url).get_json()
    assert empty["slots"] == []  # nobody works that day yet
    solved.clear()
    answers: list[Any] = []
    assert turns.inner.acquire()  # another slot query of this process is solving
    try:
        first = threading.Thread(target=lambda: answers.append(client.get(url)))
        first.start()
        assert turns.waiting.wait(10), "the first query never asked for a turn"  # it has read the day: nobody
        key = next(iter(flights._open))  # noqa: SLF001
        second = threading.Thread(target=lambda: answers.append(client.get(url)))
        second.start()
        _until(lambda: _members(flights, key) == 1, "the second query never joined the first")
        add_worker(client, "anna", [], (at("09:00"), at("17:00")))  # the day changes while both wait
    finally:
        turns.release()
    first.join(30)
    second.join(30)
    assert [r.status_code for r in answers] == [200, 200]
    assert len(solved) == 1  # one solve for both
    bodies = [r.get_json() for r in answers]
    assert bodies[0] == bodies[1] == client.get(url).get_json()  # the day as it was after both had asked
    assert bodies[0]["slots"], "anna's shift makes slots"
    # Their Server-Timing (api.timing): the leader's turn, read and solve; the member's wait for that answer.
    stages = sorted(list(timing.parse(r.headers[timing.HEADER])) for r in answers)
    assert stages == [["shared"], ["turn", "read", "solve"]]
