"""End to end: `GET /api/v1/slots` on a generated day loaded into PostgreSQL, through gunicorn.

Question: what does a manager wait for a slot answer on a large day, counting the database read,
the solve (starting from the stored witness) and the JSON? The day is loaded through the service's
own code path (rows in, feasibility proven, witness stored) into a separate database, then the same
query is sent over real HTTP `--repeats` times.

Cases: `SIZE-UTIL` (a generated day, `GET /slots`), `crew-SIZE-UTIL` (its crew version from
`benchmarks.crews`: crews of 2-3 seats, daily limits; `GET /slots?crew=*:2`) and `next-SIZE-UTIL` (the day
repeated over 14 operational days, `GET /slots/next?days=14&limit=10`).

    python -m benchmarks.http_slots [--cases L-65 L-90 crew-L-90 next-L-90] [--repeats 5] [--out ...]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import requests
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from api import create_app
from api.auth import create_token
from api.config import database_url
from api.db import ensure_database, run_in_transaction, upgrade
from api.demo import load_demo
from benchmarks.common import BenchInstance
from benchmarks.crews import crew_day
from benchmarks.generate import TIMEZONE, generated
from benchmarks.queries import NEXT_DAYS, NEXT_LIMIT, replicate
from benchmarks.report import machine
from solver.calendar import DEFAULT_DAY_START
from solver.schema import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("SLOT_PLANNER_BENCH_DB", "slot_planner_bench")  # a helper's own name on a shared server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _bench_url() -> str:
    return make_conninfo(database_url(), dbname=BENCH_DB)


def _instance(kind: str, size: str, util: int) -> tuple[BenchInstance, dict[str, Any], dict[str, list[str]]]:
    """The case's instance, its scenario document and its hidden plan (task id -> workers)."""
    inst = crew_day(size, util) if kind == "crew" else generated(size, util)
    plan = {tid: [ws] if isinstance(ws, str) else list(ws) for tid, ws in (inst.witness or {}).items()}
    if kind != "next":
        return inst, inst.scenario_doc, plan
    doc, repeated = replicate(inst.scenario_doc, {k: v[0] for k, v in plan.items()}, NEXT_DAYS)
    return inst, doc, {k: [v] for k, v in repeated.items()}


def load_day(url: str, kind: str, size: str, util: int) -> tuple[BenchInstance, int, int]:
    """Fresh database with the case's day(s) in it; returns (instance, workers, tasks)."""
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        # The database `url` names (each benchmark's own; never another's on a shared server).
        conn.execute(f'DROP DATABASE IF EXISTS "{conninfo_to_dict(url)["dbname"]}" WITH (FORCE)')
    ensure_database(url)
    upgrade(url)
    inst, doc, plan = _instance(kind, size, util)
    scenario = load_scenario(doc)
    app = create_app({"DATABASE_URL": url, "TIMEZONE": scenario.timezone,
                      "DAY_START": scenario.day_start.strftime("%H:%M"), "PLAN_TIME_LIMIT": 120.0})
    with app.app_context():
        # The service's own loader: rows in, feasibility proven (seeded with the hidden plan), witness stored.
        run_in_transaction(lambda conn: load_demo(conn, scenario, plan))
    return inst, len(scenario.workers), len(scenario.tasks)


def _parse_case(case: str) -> tuple[str, str, int]:
    """`L-90` -> ("day", "L", 90); `crew-L-90` -> ("crew", "L", 90); `next-L-90` -> ("next", "L", 90)."""
    parts = case.split("-")
    kind = parts.pop(0) if parts[0] in {"crew", "next"} else "day"
    size, util = parts
    return kind, size, int(util)


def _request(kind: str, inst: BenchInstance, step: int, duration: int) -> tuple[str, dict[str, str | int]]:
    if kind == "next":
        return "/api/v1/slots/next", {"from": inst.date, "days": NEXT_DAYS, "duration_minutes": duration,
                                      "step_minutes": step, "limit": NEXT_LIMIT}
    params: dict[str, str | int] = {"date": inst.date, "duration_minutes": duration, "step_minutes": step}
    if kind == "crew":
        params["crew"] = "*:2"
    return "/api/v1/slots", params


def measure(case: str, repeats: int, step: int, duration: int) -> dict[str, Any]:
    kind, size, util = _parse_case(case)
    url = _bench_url()
    began = time.perf_counter()
    inst, n_workers, n_tasks = load_day(url, kind, size, util)
    load_seconds = time.perf_counter() - began
    print(f"loaded {case}: {n_workers} workers, {n_tasks} tasks in {load_seconds:.1f} s", flush=True)
    with psycopg.connect(url) as conn:
        auth = {"Authorization": f"Bearer {create_token(conn, 'planner', label='bench-http')[1]}"}


    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, SLOT_PLANNER_TIMEZONE=TIMEZONE,
               SLOT_PLANNER_DAY_START=DEFAULT_DAY_START.strftime("%H:%M"))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "--timeout", "300", "api:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=10).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or still importing
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not come up")
        path, params = _request(kind, inst, step, duration)
        times: list[float] = []
        first = 0.0
        body: dict[str, Any] = {}
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            r = requests.get(f"{base}{path}", params=params, headers=auth, timeout=600)
            elapsed = time.perf_counter() - t0
            r.raise_for_status()
            body = r.json()
            if i:
                times.append(elapsed)
            else:  # the first request warms the worker (imports, pool); it is reported on its own
                first = elapsed
            print(f"  request {i}: {elapsed:.3f} s, {len(body['slots'])} slots, "
                  f"{len(body['undecided'])} undecided", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"case": case, "workers": n_workers, "tasks": n_tasks, "load": load_seconds, "first": first,
            "median": statistics.median(times), "max": max(times), "slots": len(body["slots"]),
            "undecided": len(body["undecided"]), "feasible_base": body["feasible_base"]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.http_slots", description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["L-65", "L-90"], help="generated days, SIZE-UTIL")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--step", type=int, default=5)
    ap.add_argument("--duration", type=int, default=90)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "http.md")
    args = ap.parse_args(argv)

    rows = [measure(case, args.repeats, args.step, args.duration) for case in args.cases]
    info = machine()
    lines = [
        "# HTTP end to end: `GET /api/v1/slots` (and `/slots/next`)",
        "",
        f"{args.duration}-minute task, step {args.step}; one gunicorn worker (2 threads), local PostgreSQL. "
        "Each day is loaded through the service's own guard (rows in, feasibility proven, witness stored "
        "in `day_witness`), so every query starts from the stored witness. Times are wall-clock seconds "
        "measured by the client over real HTTP: database read + solve + JSON. `crew-` days have crews and "
        f"daily limits (query `crew=*:2`); `next-` cases repeat the day over {NEXT_DAYS} days and ask "
        f"`/slots/next?days={NEXT_DAYS}&limit={NEXT_LIMIT}`.",
        "",
        "| day | workers | tasks | load (s) | first request (s) | median (s) | max (s) | slots | undecided |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['workers']} | {r['tasks']} | {r['load']:.2f} | {r['first']:.3f} | "
                     f"{r['median']:.3f} | {r['max']:.3f} | {r['slots']} | {r['undecided']} |")
    lines += [
        "",
        f"Median and max over {args.repeats} requests after the first. Machine: {info.get('cpu', '?')}, "
        f"{info.get('cores', '?')} cores, Python {info.get('python', '?')}, OR-Tools {info.get('ortools', '?')}, "
        f"{info.get('date', date.today().isoformat())}, commit {info.get('commit', '?')}.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
