"""gunicorn's own settings, read by every gunicorn started in this directory (`make demo`, the container's
boot.sh, the tests' and benchmarks' servers); command-line options override them.

gunicorn answers an over-long request line (414) or header field (431) itself, in HTML, before the
application sees the request. Its limits are raised here above the application's (SLOT_PLANNER_MAX_URL_BYTES,
4096, and SLOT_PLANNER_MAX_HEADER_BYTES, 8192: api/config.py), so requests between the two get the
application's problem+json (api/request_head.py); only what is over gunicorn's limits still gets its HTML.

The numbers, for gunicorn 27 (checked in its source, tests/api/test_request_head.py checks them live):
- limit_request_line: 8190 is the most it takes; larger values are cut to 8190, and 0 ("unlimited" in its
  documentation) makes its Python parser read a request line of any length into memory.
- limit_request_field_size: 0 is documented as unlimited but gunicorn 27 reads it as 8190, so a number.
  gunicorn buffers at most limit_request_fields (100) of these per request: 3.2 MB at 32 KB.

Each worker starts its solver processes' forkserver, and waits until the forkserver has imported the solver,
before it accepts requests (`post_worker_init`), so no request waits for those imports
(api.solver_processes.warm_solver_processes).
"""

from typing import Any

limit_request_line = 8190
limit_request_field_size = 32768

# Two workers (the load test's two cores) of eight threads. A request thread mostly waits (on PostgreSQL, on
# a day's lock, on a solver child, for its slot turn), and clients keep their connections: in every load
# test run all eight clients' connections stayed with one worker, whose four threads then queued requests
# behind slot queries waiting for their turn. On the load test (8 clients, L-90, 2 cores) `GET /slots` p95
# was 1.38-2.63 s over seven runs with 4 threads, 1.16-2.93 s over seven with 8 (five 1.16-1.50 s), p50 0.60-0.79
# -> 0.38-0.53 s. The price: writes of one day take its lock one at a time, and with more of them in flight
# bookings, takes and releases had p50 0.8-1.2 s instead of 0.6-1.0 s, p95 up to 3.3 s instead of 1.4 s.
# The command line (tests, boot.sh's GUNICORN_WORKERS / GUNICORN_THREADS) overrides these.
workers = 2
threads = 8


def post_worker_init(worker: Any) -> None:  # noqa: ARG001 -- gunicorn's hook signature
    from api.solver_processes import warm_solver_processes  # noqa: PLC0415 -- inside the worker, after its fork

    warm_solver_processes()
