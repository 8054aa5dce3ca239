"""A slot query about the database, answered whole in the solver process that solves it
(`api.solver_processes`): the process reads the day and the latest guides (`api.guides`) in one read-only
snapshot on a connection of its own (`api.db.own_unit_of_work`), solves, keeps what it learned, and sends
back only the answer's JSON.

Why there and not in the request thread: a request thread reading a 1,300-task day builds ~1,500 Python
objects holding its gunicorn worker's GIL, then pickles them all to the solver process, while that
worker's other threads (bookings, takes, installers' task lists) want the same GIL. On the load test
(8 clients, L-90, 2 cores) the request thread's part of a slot query, besides the solve itself, was
0.24 s on average and ~0.5 s at the 90th percentile: reading the day 0.10 s (p90 0.23), pickling it
there and the answer back 0.05 s (p90 0.12), the guides read and kept 0.04 s. In the solver process the
same reads run beside no other thread, and only the question and the answer cross the pipe.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import psycopg

from api import guides
from api import repository as repo
from api.db import own_unit_of_work
from solver.calendar import OperationalCalendar
from solver.domain import SlotQuery
from solver.options import SolverOptions
from solver.schema import dump_answer
from solver.slots import find_slots

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DaySlots:
    """Everything a solver process needs to answer a slot query about the database (it has no Flask app)."""

    url: str  # the database
    connect_timeout: float
    calendar: OperationalCalendar
    query: SlotQuery
    options: SolverOptions  # its budget counts from the call: the reads are taken off it
    guides: bool  # read and keep guides (SLOT_GUIDES)


class DayAnswer(NamedTuple):
    """The answer's JSON, and the seconds its read and its solve took (`api.timing`)."""

    doc: dict[str, Any]
    read: float
    solve: float


def answer(job: DaySlots) -> DayAnswer:
    """The contract's slot answer for the day as it is now (`solver.schema.dump_answer`)."""
    began = time.perf_counter()
    with own_unit_of_work(job.url, job.connect_timeout) as conn:
        scenario, witness = repo.read_day(conn, job.calendar, job.query.date)  # one read-only snapshot
        learned = guides.stored(conn, job.query) if job.guides else None
    spent = time.perf_counter() - began
    budget = job.options.budget
    options = replace(job.options, budget=None if budget is None else max(0.0, budget - spent),
                      base_time_limit=max(0.0, job.options.base_time_limit - spent))
    found = find_slots(scenario, job.query, options, witness=witness, guides=learned)
    solved = time.perf_counter() - began - spent
    if job.guides and found.guides is not None:
        try:  # best effort: the answer goes out all the same (the guides are hints)
            with own_unit_of_work(job.url, job.connect_timeout) as conn:
                guides.store(conn, job.query, found.guides)
        except psycopg.Error as exc:
            log.warning("slot guides not stored: %s", exc)
    return DayAnswer(dump_answer(found, scenario), spent, solved)
