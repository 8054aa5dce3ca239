"""`python -m solver`: the offline commands of the contract (no database).

    python -m solver slots SCENARIO.json --date 2026-11-23 --duration 90 [--step 15] [--skill K | --crew C]
    python -m solver plan SCENARIO.json
    python -m solver takeable SCENARIO.json --worker W [--date 2026-11-23]
    python -m solver explain SCENARIO.json --start 2026-11-23T10:00 --duration 90 [--skill K | --crew C]
    python -m solver next SCENARIO.json --from 2026-11-23 --days 14 --duration 90 [--step 15]
                          [--skill K | --crew C] [--limit 10]

C is the crew's text form, e.g. `install:2,electric:1` (a bare skill is count 1, `*` the null skill).

JSON on standard output and exit 0; invalid input: one line on standard error and exit 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from solver.answers import dump_explanation, dump_next, dump_takeable
from solver.calendar import DEFAULT_STEP_MINUTES
from solver.domain import InvalidInput, Scenario
from solver.explain import explain
from solver.next_slots import next_slots
from solver.options import SolverOptions
from solver.plan import plan
from solver.queries import (
    DEFAULT_LIMIT,
    load_explain_query,
    load_next_query,
    load_takeable_query,
)
from solver.schema import dump_answer, dump_crew, dump_plan, load_scenario, load_slot_query, parse_crew
from solver.slots import find_slots
from solver.takeable import takeable

EXIT_INVALID = 2
_PROGRESS_INTERVAL = 0.1  # seconds between redraws of the progress line

# The contract's field names as the CLI spells them, so an error names the flag the user typed.
_FLAGS = {"duration_minutes": "--duration", "step_minutes": "--step", "from": "--from", "days": "--days",
          "limit": "--limit", "crew": "--crew", "skill": "--skill", "start": "--start", "worker": "--worker",
          "date": "--date"}
_FIELD = re.compile(r"(?:^|(?<=; ))(" + "|".join(_FLAGS) + r")(?=[:\[])")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (the contract's "one clear line") and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message} (see --help)\n")


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    raise SystemExit(EXIT_INVALID)


def _read_scenario(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")


def _progress_bar() -> Callable[[int, int], None]:
    """A progress line on a terminal's stderr, drawn at most 10 times a second, erased when done
    (stdout stays pure JSON; nothing is drawn when stderr is not a terminal)."""
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < _PROGRESS_INTERVAL:
            return
        last[0] = now
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\rprobing candidates [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    return show


def _scenario_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario JSON file, or - for standard input")


def _new_task_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skill", default=None, help="skill the new task needs (default: none)")
    p.add_argument("--crew", default=None,
                   help="the new task's crew instead of --skill, e.g. install:2,electric:1 (* = any skill)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m solver", description="Exact slot search for field-service crews.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    slots = sub.add_parser("slots", help="list the start times at which one more task can be booked",
                           description="Print the contract's slot answer for one operational day as JSON.")
    _scenario_arg(slots)
    slots.add_argument("--date", required=True, help="operational day, YYYY-MM-DD")
    slots.add_argument("--duration", required=True, help="task length in minutes, 30 to 240")
    slots.add_argument("--step", default=str(DEFAULT_STEP_MINUTES),
                       help=f"minutes between candidate starts, 1 to 240 (default {DEFAULT_STEP_MINUTES})")
    _new_task_args(slots)
    slots.add_argument("--time-limit", type=float, default=10.0,
                       help="seconds CP-SAT may spend on one candidate before it is reported undecided")
    slots.add_argument("--engine", choices=["exact", "naive"], default="exact", help=argparse.SUPPRESS)

    pl = sub.add_parser("plan", help="is every untaken task coverable? print an assignment or the uncovered",
                        description="Print feasibility and an assignment of every untaken task as JSON.")
    _scenario_arg(pl)
    pl.add_argument("--time-limit", type=float, default=30.0, help="seconds the solver may spend")

    tk = sub.add_parser("takeable", help="which tasks can a worker still take without stranding any",
                        description="Print the tasks the worker can take (time order) as JSON.")
    _scenario_arg(tk)
    tk.add_argument("--worker", required=True, help="the worker's id")
    tk.add_argument("--date", default=None, help="only tasks starting in this operational day, YYYY-MM-DD")
    tk.add_argument("--time-limit", type=float, default=30.0, help="seconds for the whole answer")

    ex = sub.add_parser("explain", help="why a start is not a slot: an irreducible set of conflicting tasks",
                        description="Print a plan if the start is a slot, else the reason and the tasks.")
    _scenario_arg(ex)
    ex.add_argument("--start", required=True, help="start of the new task, e.g. 2026-11-23T10:00")
    ex.add_argument("--duration", required=True, help="task length in minutes, 30 to 240")
    _new_task_args(ex)
    ex.add_argument("--time-limit", type=float, default=10.0, help="seconds for the whole answer")

    nx = sub.add_parser("next", help="the first slots across several operational days",
                        description="Print the first --limit slots of the days --from .. --from + --days - 1.")
    _scenario_arg(nx)
    nx.add_argument("--from", dest="from_", required=True, help="first operational day, YYYY-MM-DD")
    nx.add_argument("--days", required=True, help="how many days to search, 1 to 62")
    nx.add_argument("--duration", required=True, help="task length in minutes, 30 to 240")
    nx.add_argument("--step", default=str(DEFAULT_STEP_MINUTES),
                    help=f"minutes between candidate starts, 1 to 240 (default {DEFAULT_STEP_MINUTES})")
    _new_task_args(nx)
    nx.add_argument("--limit", default=str(DEFAULT_LIMIT), help=f"slots wanted, 1 to 1000 (default {DEFAULT_LIMIT})")
    nx.add_argument("--time-limit", type=float, default=10.0,
                    help="seconds CP-SAT may spend on one candidate before it is reported undecided")
    return parser


def _int_arg(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        _fail(f"{name} must be an integer, got {text!r}")


def _new_task_fields(args: argparse.Namespace) -> dict[str, Any]:
    """--skill / --crew as the contract's fields (both given: invalid)."""
    if args.crew is not None and args.skill is not None:
        raise InvalidInput("--crew: give either --skill or --crew, not both", field="crew")
    return {"skill": args.skill, "crew": None if args.crew is None else dump_crew(parse_crew(args.crew))}


def _load_query(args: argparse.Namespace, scenario: Scenario) -> Any:
    """The subcommand's query, through the same loaders the HTTP API uses."""
    if args.command == "slots":
        return load_slot_query({"date": args.date, "duration_minutes": _int_arg("--duration", args.duration),
                                "step_minutes": _int_arg("--step", args.step), **_new_task_fields(args)})
    if args.command == "takeable":
        return load_takeable_query({"worker": args.worker, "date": args.date}, scenario)
    if args.command == "explain":
        return load_explain_query({"start": args.start, "duration_minutes": _int_arg("--duration", args.duration),
                                   **_new_task_fields(args)}, scenario)
    if args.command == "next":
        return load_next_query({
            "from": args.from_, "days": _int_arg("--days", args.days),
            "duration_minutes": _int_arg("--duration", args.duration), "step_minutes": _int_arg("--step", args.step),
            "limit": _int_arg("--limit", args.limit), **_new_task_fields(args)})
    return None


def _answer(args: argparse.Namespace, scenario: Scenario, query: Any) -> dict[str, Any]:
    if args.command == "slots":
        answer = find_slots(scenario, query, SolverOptions(engine=args.engine, probe_time_limit=args.time_limit),
                            progress=_progress_bar() if sys.stderr.isatty() else None)
        return dump_answer(answer, scenario)
    if args.command == "takeable":
        return dump_takeable(takeable(scenario, query, time_limit=args.time_limit))
    if args.command == "explain":
        return dump_explanation(explain(scenario, query, time_limit=args.time_limit), scenario)
    if args.command == "next":
        return dump_next(next_slots(scenario, query, SolverOptions(probe_time_limit=args.time_limit)), scenario)
    return dump_plan(plan(scenario, SolverOptions(base_time_limit=args.time_limit)))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    raw = _read_scenario(args.scenario)
    try:
        scenario = load_scenario(raw)
        query = _load_query(args, scenario)
        out = _answer(args, scenario, query)
    except InvalidInput as exc:
        _fail(_FIELD.sub(lambda m: _FLAGS[m.group(1)], exc.message))
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
