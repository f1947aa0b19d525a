"""The portal as a real server for tests: gunicorn with the shipped
gunicorn.conf.py, one worker, on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def fresh_postgres(prefix: str, server: str = POSTGRES) -> Iterator[str]:
    """A new, empty PostgreSQL database on ``server`` (a URL without the
    database name), dropped afterwards however its users left it."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(
    settings: dict[str, str],
    output: IO[str] | int = subprocess.DEVNULL,
    *,
    workers: int = 1,
    app: str = "wsgi:app",
    ready: str = "/health",
) -> Iterator[str]:
    """Serve ``app`` (the portal by default) with ``PORTAL_*`` ``settings``;
    yields the base URL once ``ready`` answers, and stops the server afterwards.
    The benchmarks (bench/pages.py) serve through this too."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), app],
        cwd=ROOT, env={**os.environ, **settings}, stdout=output,
        stderr=subprocess.STDOUT if output != subprocess.DEVNULL else output,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + ready, timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
