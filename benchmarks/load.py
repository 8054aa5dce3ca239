"""Mixed load against gunicorn and PostgreSQL on a generated day: managers query slots and book, installers
take and release their own tasks, planners post what-if; latency per endpoint, throughput, errors, then an
invariant check (the day still coverable, every accepted write present).

    python -m benchmarks.load [--case L-90] [--clients 8] [--seconds 30]

Bounded in time (at most 60 s of load) and addressed to 127.0.0.1 only. Uses its own database,
slot_planner_load. Results: benchmarks/results/load.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import requests
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from api.auth import create_token
from benchmarks.generate import generated
from benchmarks.http_slots import _free_port, load_day
from benchmarks.report import machine

ROOT = Path(__file__).resolve().parent.parent
LOAD_DB = "slot_planner_load"
MAX_SECONDS = 60
PLANNER_THINK_SECONDS = 1.0  # a planner reads an answer before asking again (and stays under the rate limit)


def _load_url() -> str:
    params = conninfo_to_dict(os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/slot_planner")
    params["dbname"] = LOAD_DB
    return make_conninfo(**params)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.booked: set[str] = set()
        self.holder: dict[str, str | None] = {}  # task -> taker after our last accepted take / release

    def call(self, label: str, session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        began = time.perf_counter()
        r = session.request(method, url, timeout=60, **kwargs)
        with self.lock:
            self.seconds[label].append(time.perf_counter() - began)
            self.statuses[label][r.status_code] += 1
        return r


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(case: str, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    size, util = case.split("-")
    url = _load_url()
    day, n_workers, n_tasks = load_day(url, size, int(util))
    with psycopg.connect(url) as conn:
        witness = conn.execute("SELECT assignment FROM day_witness WHERE day = %(d)s", {"d": day}).fetchone()[0]
        by_worker: dict[str, list[str]] = defaultdict(list)
        for task, worker in witness.items():
            by_worker[worker].append(task)
        installers = sorted(by_worker, key=lambda w: -len(by_worker[w]))
        n_inst = max(1, clients * 3 // 8)
        n_plan = max(1, clients // 4)
        n_man = max(1, clients - n_inst - n_plan)
        tokens = {
            "manager": [create_token(conn, "manager", label=f"load manager {i}")[1] for i in range(n_man)],
            "planner": [create_token(conn, "planner", label=f"load planner {i}")[1] for i in range(n_plan)],
            "installer": [(w, create_token(conn, "installer", w, label=f"load {w}")[1]) for w in installers[:n_inst]],
        }
        admin = create_token(conn, "admin", label="load check")[1]
    what_if = {"scenario": generated("S", 65).scenario_doc}

    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, SLOT_PLANNER_TIMEZONE="Europe/Moscow", SLOT_PLANNER_DAY_START="03:00")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "api:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    rec = Recorder()
    try:
        for _ in range(150):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not come up")
        stop = time.monotonic() + seconds

        def session(token: str) -> requests.Session:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            return s

        def manager(i: int, token: str) -> None:
            rng, s = random.Random(seed * 100 + i), session(token)
            while time.monotonic() < stop:
                r = rec.call("GET /slots", s, "GET", f"{base}/slots",
                             params={"date": day, "duration_minutes": 60, "step_minutes": 15})
                starts = [x["start"] for x in r.json().get("slots", [])] if r.ok else []
                if starts:
                    booked = rec.call("POST /tasks", s, "POST", f"{base}/tasks",
                                      json={"start": rng.choice(starts), "duration_minutes": 60})
                    if booked.status_code == 201:
                        with rec.lock:
                            rec.booked.add(booked.json()["id"])

        def installer(i: int, worker: str, token: str) -> None:
            rng, s = random.Random(seed * 200 + i), session(token)
            mine = list(by_worker[worker])
            while time.monotonic() < stop:
                rec.call("GET /tasks", s, "GET", f"{base}/tasks", params={"date": day})
                task = rng.choice(mine)
                if rec.call("POST /tasks/{id}/take", s, "POST", f"{base}/tasks/{task}/take",
                            json={"worker_id": worker}).status_code == 200:
                    with rec.lock:
                        rec.holder[task] = worker
                    if rec.call("POST /tasks/{id}/release", s, "POST", f"{base}/tasks/{task}/release").ok:
                        with rec.lock:
                            rec.holder[task] = None

        def planner(i: int, token: str) -> None:
            s = session(token)
            while time.monotonic() < stop:
                rec.call("POST /what-if/plan", s, "POST", f"{base}/what-if/plan", json=what_if)
                time.sleep(PLANNER_THINK_SECONDS)

        threads = [threading.Thread(target=manager, args=(i, t)) for i, t in enumerate(tokens["manager"])]
        threads += [threading.Thread(target=installer, args=(i, w, t)) for i, (w, t) in enumerate(tokens["installer"])]
        threads += [threading.Thread(target=planner, args=(i, t)) for i, t in enumerate(tokens["planner"])]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began

        check = session(admin)
        final = check.get(f"{base}/slots", params={"date": day, "duration_minutes": 60, "step_minutes": 15},
                          timeout=120).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    with psycopg.connect(url) as conn:
        stored = dict(conn.execute("SELECT id, worker_id FROM tasks").fetchall())
    lost = sorted(rec.booked - set(stored))
    wrong_holder = sorted(t for t, w in rec.holder.items() if stored.get(t, "missing") != w)
    return {"case": case, "day": day, "workers": n_workers, "tasks": n_tasks, "seconds": elapsed,
            "clients": {"manager": n_man, "installer": n_inst, "planner": n_plan}, "rec": rec,
            "feasible_base": final.get("feasible_base"), "lost": lost, "wrong_holder": wrong_holder}


def report(result: dict[str, Any], out: Path) -> str:
    rec: Recorder = result["rec"]
    info = machine()
    total = sum(len(v) for v in rec.seconds.values())
    five = sum(n for c in rec.statuses.values() for code, n in c.items() if code >= 500)
    lines = [
        "# Load: mixed clients against gunicorn and PostgreSQL",
        "",
        f"Generated day {result['case']} ({result['workers']} workers, {result['tasks']} tasks) loaded through the "
        f"service's guard; gunicorn 2 workers x 4 threads on 127.0.0.1; {sum(result['clients'].values())} concurrent "
        f"clients ({result['clients']['manager']} managers: slots then a booking; {result['clients']['installer']} "
        f"installers: the day's tasks, take and release one of their own; {result['clients']['planner']} planners: "
        f"what-if plan on the S-65 day, {PLANNER_THINK_SECONDS:g} s apart) for {result['seconds']:.0f} s. "
        "Times in seconds, measured by the clients.",
        "",
        "| endpoint | requests | p50 | p95 | p99 | max | statuses |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in sorted(rec.seconds):
        v = rec.seconds[label]
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(rec.statuses[label].items()))
        lines.append(f"| `{label}` | {len(v)} | {statistics.median(v):.3f} | {_pct(v, 0.95):.3f} | "
                     f"{_pct(v, 0.99):.3f} | {max(v):.3f} | {codes} |")
    lines += [
        "",
        f"Throughput {total / result['seconds']:.1f} requests/s; 5xx: {five}; accepted bookings: {len(rec.booked)}, "
        f"lost: {len(result['lost'])}; tasks whose taker differs from the last accepted take / release: "
        f"{len(result['wrong_holder'])}; the day still coverable afterwards (`feasible_base`): "
        f"{result['feasible_base']}. 409s are refused bookings or takes (the slot or task went to another client),"
        " 429s the what-if rate limit, 503s a full what-if pool: answers, not errors.",
        "",
        f"Machine: {info.get('cpu', '?')}, {info.get('cores', '?')} cores (shared with other work while measured), "
        f"Python {info.get('python', '?')}, OR-Tools {info.get('ortools', '?')}, "
        f"{info.get('date', date.today().isoformat())}, commit {info.get('commit', '?')}.",
        "",
    ]
    text = "\n".join(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="L-90", help="generated day, SIZE-UTIL")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0, help=f"load duration, at most {MAX_SECONDS}")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.md")
    args = ap.parse_args(argv)
    if not 0 < args.seconds <= MAX_SECONDS or args.clients < 3:
        ap.error(f"--seconds must be in (0, {MAX_SECONDS}] and --clients at least 3")
    result = run(args.case, args.clients, args.seconds, args.seed)
    print(report(result, args.out))
    rec: Recorder = result["rec"]
    failed = any(code >= 500 for c in rec.statuses.values() for code in c) or result["lost"] or \
        result["wrong_holder"] or result["feasible_base"] is not True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
