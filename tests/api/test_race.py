"""No race can strand a task: the real server (gunicorn, several processes and threads) receives 16
simultaneous bookings of the last remaining slot; exactly one wins, the others get 409."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import requests
from server_kit import gunicorn
from service_kit import assert_day_feasible, at, bearer


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    with gunicorn(database_url, workers=4, threads=4) as base:
        yield base


def test_sixteen_concurrent_bookings_of_the_last_slot(server: str, database_url: str) -> None:
    api = f"{server}/api/v1"
    s = requests.Session()
    s.headers.update(bearer(database_url, "admin"))
    assert s.post(f"{api}/workers", json={"id": "boris", "skills": ["install"]}).status_code == 201
    assert s.post(f"{api}/workers/boris/shifts", json={"start": at("09:00"), "end": at("17:00")}).status_code == 201
    assert s.post(f"{api}/tasks", json={"id": "t0", "start": at("09:00"), "end": at("10:30")}).status_code == 201
    assert s.post(f"{api}/tasks", json={"id": "t2", "start": at("12:00"), "end": at("16:00")}).status_code == 201
    query = {"date": "2026-11-23", "duration_minutes": 90, "step_minutes": 15}
    before = s.get(f"{api}/slots", params=query).json()
    assert [x["start"] for x in before["slots"]] == ["2026-11-23T10:30:00+03:00"]  # the last slot of 90 min

    barrier = threading.Barrier(16)
    statuses: list[int] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        body = {"id": f"race{i}", "start": at("10:30"), "duration_minutes": 90}
        barrier.wait()
        r = requests.post(f"{api}/tasks", json=body, headers=s.headers, timeout=60)
        with lock:
            statuses.append(r.status_code)
        if r.status_code == 409:
            assert r.headers["Content-Type"] == "application/problem+json"

    threads = [threading.Thread(target=book, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Counter(statuses) == {201: 1, 409: 15}
    day = s.get(f"{api}/tasks", params={"date": "2026-11-23"}).json()
    assert len([t for t in day if t["id"].startswith("race")]) == 1
    after = s.get(f"{api}/slots", params=query).json()
    assert after["feasible_base"] is True and after["slots"] == []
    assert_day_feasible(database_url)


def test_sixteen_concurrent_takes_of_the_last_seat(server: str, database_url: str) -> None:
    """A crew of two installers, one seat already held; sixteen installers take the last seat at once."""
    api = f"{server}/api/v1"
    s = requests.Session()
    s.headers.update(bearer(database_url, "admin"))  # an admin may take for anyone
    for i in range(17):
        assert s.post(f"{api}/workers", json={"id": f"w{i}", "skills": ["install"]}).status_code == 201
        assert s.post(f"{api}/workers/w{i}/shifts", json={"start": at("09:00"), "end": at("17:00")}).status_code == 201
    crew = [{"skill": "install", "count": 2}]
    assert s.post(f"{api}/tasks", json={"id": "k", "start": at("10:00"), "end": at("11:00"), "crew": crew}
                  ).status_code == 201
    assert s.post(f"{api}/tasks/k/take", json={"worker_id": "w0"}).status_code == 200

    barrier = threading.Barrier(16)
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def take(i: int) -> None:
        barrier.wait()
        r = requests.post(f"{api}/tasks/k/take", json={"worker_id": f"w{i}"}, headers=s.headers, timeout=60)
        with lock:
            statuses[f"w{i}"] = r.status_code

    threads = [threading.Thread(target=take, args=(i,)) for i in range(1, 17)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Counter(statuses.values()) == {200: 1, 409: 15}
    (winner,) = [w for w, code in statuses.items() if code == 200]
    assert s.get(f"{api}/tasks/k").json()["worker_ids"] == ["w0", winner]
    assert_day_feasible(database_url)
