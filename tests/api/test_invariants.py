"""Random sequences of book / take / release / move / delete through the HTTP API.

After every accepted operation an independent check (plain SQL, a brute-force assignment, the
solver-free checker) confirms the day can still be covered; every refused operation leaves every
table exactly as it was."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from service_kit import add_worker, assert_day_feasible, at, dump

SKILLS = [None, None, "install", "repair"]


def _setup(client: Any) -> list[str]:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")), (at("14:00"), at("18:00")))
    add_worker(client, "boris", ["install", "repair"], (at("08:00"), at("17:00")))
    add_worker(client, "vera", ["repair"], (at("12:00"), at("20:00")))
    add_worker(client, "igor", ["install"], (at("22:00", "2026-11-22"), at("06:00")),
               (at("20:00"), at("04:00", "2026-11-24")))
    return ["anna", "boris", "vera", "igor"]


def _random_time(rng: random.Random) -> tuple[str, int]:
    day = rng.choice(["2026-11-23"] * 5 + ["2026-11-24"])
    hour = rng.randrange(0, 24) if day == "2026-11-23" else rng.randrange(0, 4)
    return f"{day}T{hour:02d}:{rng.choice(['00', '15', '30', '45'])}", rng.choice([30, 30, 60, 90, 120, 180, 240])


def _fitting(client: Any, task: dict[str, Any], workers: list[str]) -> list[str]:
    start, end = datetime.fromisoformat(task["start"]), datetime.fromisoformat(task["end"])
    out = []
    for wid in workers:
        worker = client.get(f"/api/v1/workers/{wid}").json
        if task["skill"] and task["skill"] not in worker["skills"]:
            continue
        shifts = client.get(f"/api/v1/workers/{wid}/shifts").json
        if any(datetime.fromisoformat(s["start"]) <= start and end <= datetime.fromisoformat(s["end"])
               for s in shifts):
            out.append(wid)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_operations_never_strand_a_task(client: Any, database_url: str, seed: int) -> None:
    rng = random.Random(seed)
    workers = _setup(client)
    outcomes: Counter[str] = Counter()
    for step in range(80):
        tasks = client.get("/api/v1/tasks?date=2026-11-23").json + client.get("/api/v1/tasks?date=2026-11-24").json
        taken = [t for t in tasks if t["worker_id"]]
        ops = ["book"] * (4 if len(tasks) < 10 else 1) + ["take"] * 3 * bool(tasks) + ["release"] * bool(taken) \
            + ["move"] * bool(tasks) + ["delete"] * (1 + 2 * (len(tasks) >= 10)) * bool(tasks)
        op = rng.choice(ops)
        before = dump(database_url)
        if op == "book":
            start, minutes = _random_time(rng)
            r = client.post("/api/v1/tasks", json={"id": f"s{seed}x{step}", "start": start,
                                                   "duration_minutes": minutes, "skill": rng.choice(SKILLS)})
        elif op == "take":
            task = rng.choice(tasks)
            # Mostly a worker the task fits (so takes are often accepted), sometimes anyone.
            fitting = _fitting(client, task, workers)
            wid = rng.choice(fitting) if fitting and rng.random() < 0.8 else rng.choice(workers)
            r = client.post(f"/api/v1/tasks/{task['id']}/take", json={"worker_id": wid})
        elif op == "release":
            r = client.post(f"/api/v1/tasks/{rng.choice(taken)['id']}/release")
        elif op == "move":
            start, minutes = _random_time(rng)
            r = client.patch(f"/api/v1/tasks/{rng.choice(tasks)['id']}", json={"start": start,
                                                                             "duration_minutes": minutes})
        else:
            r = client.delete(f"/api/v1/tasks/{rng.choice(tasks)['id']}")
        assert r.status_code in (200, 201, 204, 409), (op, r.status_code, r.get_data(as_text=True))
        if r.status_code == 409:
            assert r.content_type == "application/problem+json" and r.json["tasks"], r.json
            assert dump(database_url) == before, f"refused {op} changed the database"
            outcomes[f"{op} refused"] += 1
        else:
            assert_day_feasible(database_url)
            outcomes[f"{op} accepted"] += 1
    # The sequence exercised both sides of the guard.
    assert sum(v for k, v in outcomes.items() if k.endswith("refused")) >= 5, outcomes
    assert outcomes["book accepted"] >= 5 and outcomes["take accepted"] >= 3, outcomes
