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


CREWS = [None, None, [{"skill": "install", "count": 2}],
         [{"skill": "install", "count": 1}, {"skill": None, "count": 1}],
         [{"skill": "repair", "count": 1}, {"skill": "install", "count": 1}]]


def _crew_setup(client: Any) -> list[str]:
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")), (at("14:00"), at("18:00")), max_tasks=1)
    add_worker(client, "boris", ["install", "repair"], (at("08:00"), at("17:00")))
    add_worker(client, "vera", ["repair"], (at("12:00"), at("20:00")), max_minutes=150)
    add_worker(client, "igor", ["install"], (at("22:00", "2026-11-22"), at("06:00")),
               (at("20:00"), at("04:00", "2026-11-24")), max_tasks=3)
    add_worker(client, "lena", ["install", "repair"], (at("10:00"), at("22:00")), max_minutes=120)
    return ["anna", "boris", "vera", "igor", "lena"]


def _crew_op(client: Any, rng: random.Random, name: str, tasks: list[dict[str, Any]],
             workers: list[str]) -> tuple[str, Any]:
    held = [t for t in tasks if t["worker_ids"]]
    ops = ["book"] * (4 if len(tasks) < 8 else 1) + ["take"] * 4 * bool(tasks) + ["release"] * bool(held) \
        + ["move"] * bool(tasks) + ["delete"] * (1 + 2 * (len(tasks) >= 8)) * bool(tasks) + ["limit"]
    op = rng.choice(ops)
    if op == "book":
        start, minutes = _random_time(rng)
        needs: dict[str, Any] = {"crew": rng.choice(CREWS)}
        if needs["crew"] is None:
            needs = {"skill": rng.choice(SKILLS)}
        return op, client.post("/api/v1/tasks", json={"id": name, "start": start, "duration_minutes": minutes,
                                                      **needs})
    if op == "take":
        task = rng.choice(tasks)
        fitting = _fitting(client, {**task, "skill": None}, workers)
        wid = rng.choice(fitting) if fitting and rng.random() < 0.85 else rng.choice(workers)
        return op, client.post(f"/api/v1/tasks/{task['id']}/take", json={"worker_id": wid})
    if op == "release":
        task = rng.choice(held)
        body = {"worker_id": rng.choice(task["worker_ids"])} if rng.random() < 0.7 else {}
        return op, client.post(f"/api/v1/tasks/{task['id']}/release", json=body)
    if op == "move":
        start, minutes = _random_time(rng)
        return op, client.patch(f"/api/v1/tasks/{rng.choice(tasks)['id']}", json={"start": start,
                                                                                "duration_minutes": minutes})
    if op == "limit":
        wid = rng.choice(workers)
        return op, client.patch(f"/api/v1/workers/{wid}", json={
            "max_tasks": rng.choice([None, 1, 2, 3]), "max_minutes": rng.choice([None, None, 120, 240])})
    return op, client.delete(f"/api/v1/tasks/{rng.choice(tasks)['id']}")


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_operations_with_crews_and_limits_never_strand_a_task(client: Any, database_url: str,
                                                                     seed: int) -> None:
    """Crews, seats and daily limits: after every accepted operation an independent brute force (every
    set of workers per task, no-overlap, limits) still covers every seat; refusals change nothing."""
    rng = random.Random(seed)
    workers = _crew_setup(client)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for step in range(60):
        tasks = client.get("/api/v1/tasks?date=2026-11-23").json + client.get("/api/v1/tasks?date=2026-11-24").json
        before = dump(database_url)
        op, r = _crew_op(client, rng, f"c{seed}x{step}", tasks, workers)
        assert r.status_code in (200, 201, 204, 409), (op, r.status_code, r.get_data(as_text=True))
        if r.status_code == 409:
            assert r.content_type == "application/problem+json" and (r.json["tasks"] or op == "limit"), r.json
            reasons[r.json.get("reason", "strand")] += 1
            assert dump(database_url) == before, f"refused {op} changed the database"
            outcomes[f"{op} refused"] += 1
        else:
            assert_day_feasible(database_url)
            outcomes[f"{op} accepted"] += 1
    assert sum(v for k, v in outcomes.items() if k.endswith("refused")) >= 5, outcomes
    assert outcomes["book accepted"] >= 4 and outcomes["take accepted"] >= 3, outcomes
    assert reasons["strand"] >= 3, reasons
