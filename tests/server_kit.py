"""A real gunicorn for tests that need HTTP against a live server (tests/api and tests/web share it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, threads: int = 4, args: tuple[str, ...] = (),
             quick_stop: bool = False, **env: str) -> Iterator[str]:
    """A real server (gunicorn) on a free 127.0.0.1 port, with extra SLOT_PLANNER_* settings; yields its URL.

    `quick_stop`: SIGINT (gunicorn's quick shutdown) instead of SIGTERM's graceful one, for a server whose
    clients are all done (the browser tests' module-wide server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full_env = {**os.environ, "DATABASE_URL": database_url, "SLOT_PLANNER_TIMEZONE": "Europe/Moscow",
                "SLOT_PLANNER_DAY_START": "03:00", **env}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *args, "api:create_app()"],
        cwd=Path(__file__).resolve().parents[1], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        if quick_stop:
            proc.send_signal(signal.SIGINT)
        else:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
