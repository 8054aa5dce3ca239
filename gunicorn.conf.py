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
(api.limits.warm_solver_processes).
"""

from typing import Any

limit_request_line = 8190
limit_request_field_size = 32768


def post_worker_init(worker: Any) -> None:  # noqa: ARG001 -- gunicorn's hook signature
    from api.limits import warm_solver_processes  # noqa: PLC0415 -- inside the worker, after its fork

    warm_solver_processes()
