"""Random sequences of roster changes, overrides, absences (with and without release), bookings and takes
through the HTTP API. After every accepted operation an independent check (plain SQL, a brute-force
assignment, the solver-free checker) confirms every task can still be covered; every refused operation
leaves every table, the roster tables included, exactly as it was."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import psycopg
import pytest
from service_kit import add_worker, assert_day_feasible, dump

A = "/api/v1"
DAYS = ["2026-11-23", "2026-11-24"]


def dump_all(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        roster = {
            "patterns": conn.execute("SELECT id, start_time, length_minutes, rrule, valid_from, valid_until"
                                     " FROM roster_patterns ORDER BY id").fetchall(),
            "overrides": conn.execute("SELECT * FROM roster_overrides ORDER BY 1, 2").fetchall(),
            "absences": conn.execute("SELECT id, worker_id, period, kind FROM absences ORDER BY id").fetchall(),
            "origins": conn.execute("SELECT id, pattern_id, pattern_day FROM shifts ORDER BY id").fetchall(),
        }
    return dump(database_url) | roster


def _when(rng: random.Random) -> str:
    return f"{rng.choice(DAYS)}T{rng.randrange(6, 22):02d}:{rng.choice(['00', '30'])}"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_roster_operations_never_strand_a_task(client: Any, database_url: str, seed: int) -> None:
    rng = random.Random(seed)
    patterns = {}
    for wid, start, minutes in (("anna", "08:00", 480), ("boris", "10:00", 540), ("vera", "14:00", 480)):
        add_worker(client, wid, [])
        r = client.post(f"{A}/workers/{wid}/patterns", json={
            "start_time": start, "length_minutes": minutes, "rrule": "FREQ=DAILY", "valid_from": DAYS[0],
            "valid_until": DAYS[1]})
        assert r.status_code == 201, r.json
        patterns[wid] = r.json["id"]
    outcomes: Counter[str] = Counter()
    for _step in range(40):
        wid = rng.choice(list(patterns))
        pid = patterns[wid]
        op = rng.choice(["book", "book", "take", "pattern", "override", "absence", "absence", "unabsent"])
        if op == "book":
            start = _when(rng)
            req = ("post", "/api/v1/tasks", {"start": start, "duration_minutes": rng.choice([30, 60, 120, 180])})
        elif op == "take":
            tasks = [t for d in DAYS for t in client.get(f"{A}/tasks?date={d}").json if not t["worker_id"]]
            if not tasks:
                continue
            req = ("post", f"/api/v1/tasks/{rng.choice(tasks)['id']}/take", {"worker_id": wid})
        elif op == "pattern":
            req = ("patch", f"{A}/workers/{wid}/patterns/{pid}",
                   {"start_time": f"{rng.randrange(6, 14):02d}:00", "length_minutes": rng.choice([240, 480, 600]),
                    "effective_from": rng.choice(DAYS)})
        elif op == "override":
            body = rng.choice([{"off": True}, {"start_time": f"{rng.randrange(6, 16):02d}:30",
                                               "length_minutes": rng.choice([120, 360])}])
            req = ("put", f"{A}/workers/{wid}/patterns/{pid}/overrides/{rng.choice(DAYS)}", body)
        elif op == "absence":
            start = _when(rng)
            end = f"{start[:11]}{min(23, int(start[11:13]) + rng.choice([1, 3, 6])):02d}:00"
            req = ("post", f"{A}/workers/{wid}/absences", {"start": start, "end": end, "kind": "sick",
                                                           "release_tasks": rng.random() < 0.5})
        else:
            absences = client.get(f"{A}/workers/{wid}/absences").json
            if not absences:
                continue
            req = ("delete", f"{A}/workers/{wid}/absences/{rng.choice(absences)['id']}", None)
        before = dump_all(database_url)
        method, url, body = req
        r = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
        assert r.status_code in (200, 201, 204, 409, 422), (op, r.get_data(as_text=True))
        if r.status_code < 300:
            outcomes[f"{op} ok"] += 1
            assert_day_feasible(database_url)
        else:
            outcomes[f"{op} {r.status_code}"] += 1
            assert dump_all(database_url) == before, (op, r.json)
    # The sequence exercised both sides of the guard.
    assert sum(v for k, v in outcomes.items() if k.endswith("ok")) >= 10, outcomes
    assert sum(v for k, v in outcomes.items() if k.endswith("409")) >= 3, outcomes
