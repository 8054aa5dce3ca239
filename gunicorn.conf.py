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
"""

limit_request_line = 8190
limit_request_field_size = 32768

# Each worker listens on its own SO_REUSEPORT socket (gunicorn 27 creates them per worker when this is on), so
# the kernel spreads new connections over the workers. Without it a gthread worker accepts every connection
# it is offered (up to worker_connections, 1000), and with keep-alive they stay there: in the load test all
# 8 clients' connections sat on one worker while the other served nothing (its threads and its GIL idle).
# Measured under `make bench-load` (2 cores, 3-4 runs each): throughput 9.5-11 -> 13-14 requests/s, GET /tasks
# p50 0.26-0.50 -> 0.16-0.18 s, GET /slots p50 0.54-0.67 -> 0.30-0.45 s. GET /slots p95 got worse (1.4-1.9 ->
# 2.1-3.2 s): the managers booked more in the same 30 s (57-58 -> 62-66 bookings), and the fuller day's last
# queries are the heavy ones. The cost: a second server started on the same port by the same user shares it
# instead of failing with "address in use" (run one per port; the container does).
reuse_port = True
