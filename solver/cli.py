"""`python -m solver`: the offline commands of the contract (no database).

    python -m solver slots SCENARIO.json --date 2026-11-23 --duration 90 [--step 15] [--skill install]
    python -m solver plan SCENARIO.json

JSON on standard output and exit 0; invalid input: one line on standard error and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from solver.domain import DEFAULT_STEP_MINUTES, InvalidInput
from solver.options import SolverOptions
from solver.plan import plan
from solver.schema import dump_answer, dump_plan, load_scenario, load_slot_query
from solver.slots import find_slots

EXIT_INVALID = 2
EXIT_UNDECIDED = 0  # an undecided answer is still an answer; it is visible in the JSON


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
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\rprobing candidates [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    return show


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m solver", description="Exact slot search for field-service crews.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    slots = sub.add_parser("slots", help="list the start times at which one more task can be booked",
                           description="Print the contract's slot answer for one operational day as JSON.")
    slots.add_argument("scenario", help="scenario JSON file, or - for standard input")
    slots.add_argument("--date", required=True, help="operational day, YYYY-MM-DD")
    slots.add_argument("--duration", required=True, help="task length in minutes, 30 to 240")
    slots.add_argument("--step", default=str(DEFAULT_STEP_MINUTES),
                       help=f"minutes between candidate starts, 1 to 240 (default {DEFAULT_STEP_MINUTES})")
    slots.add_argument("--skill", default=None, help="skill the new task needs (default: none)")
    slots.add_argument("--time-limit", type=float, default=10.0,
                       help="seconds CP-SAT may spend on one candidate before it is reported undecided")
    slots.add_argument("--engine", choices=["exact", "naive"], default="exact", help=argparse.SUPPRESS)

    pl = sub.add_parser("plan", help="is every untaken task coverable? print an assignment or the uncovered",
                        description="Print feasibility and an assignment of every untaken task as JSON.")
    pl.add_argument("scenario", help="scenario JSON file, or - for standard input")
    pl.add_argument("--time-limit", type=float, default=30.0, help="seconds the solver may spend")
    return parser


def _int_arg(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        _fail(f"{name} must be an integer, got {text!r}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    raw = _read_scenario(args.scenario)
    try:
        scenario = load_scenario(raw)
        if args.command == "slots":
            query = load_slot_query({
                "date": args.date,
                "duration_minutes": _int_arg("--duration", args.duration),
                "step_minutes": _int_arg("--step", args.step),
                "skill": args.skill,
            })
    except InvalidInput as exc:
        _fail(exc.message.replace("duration_minutes", "--duration").replace("step_minutes", "--step")
              if args.command == "slots" else exc.message)

    if args.command == "slots":
        answer = find_slots(scenario, query, SolverOptions(engine=args.engine, probe_time_limit=args.time_limit),
                            progress=_progress_bar() if sys.stderr.isatty() else None)
        out: dict[str, Any] = dump_answer(answer, scenario)
    else:
        out = dump_plan(plan(scenario, SolverOptions(base_time_limit=args.time_limit)))
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
