"""Benchmark: the portal's pages and exports at national scale, through a real
server.

For each size (default 100,000 and 1,000,000 submissions) and each database
(SQLite, and PostgreSQL when one answers on 127.0.0.1:5432), builds the dataset
(`bench/dataset.py`), serves it with gunicorn (the shipped gunicorn.conf.py, 2
sync workers) on loopback and drives each page with wrk (4 connections, 10 s).
Floors are measured in the same run: a bare Flask "hello", the portal's /health
and its /sign-in page. Each page's throughput is given as a ratio of the
/sign-in floor, with its p50/p95; exports run as the CLI does, timed per 100,000
rows with the process's peak RSS. Results go to bench/data/pages-<db>.json and
the table in docs/benchmarks.md.

Run: `make bench` (all of bench/), or `python bench/pages.py --rows 100000`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import Built, build  # noqa: E402
from portal import db  # noqa: E402
from tests.servers import fresh_postgres, gunicorn  # noqa: E402

SECONDS = 10
CONNECTIONS = 4


@contextmanager
def served(settings: dict[str, str], module: str = "wsgi:app") -> Iterator[str]:
    """gunicorn with the shipped settings and 2 sync workers, its access log off
    (wrk's requests would fill it)."""
    settings = {**settings, "GUNICORN_CMD_ARGS": "--access-logfile /dev/null"}
    ready = "/" if module != "wsgi:app" else "/health"
    with gunicorn(settings, workers=2, app=module, ready=ready) as base:
        yield base


def cookie_for(built: Built, user_id: int) -> str:
    app = built.app
    app.config["SESSION_COOKIE_NAME"] = "portal_session"
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    now = int(time.time())
    value = serializer.dumps(
        {
            "_user_id": f"{user_id}:0",
            "_fresh": True,
            "t0": now,
            "seen": now,
            "via": "password",
        }
    )
    return f"portal_session={value}"


def as_browser(base: str, path: str, cookie: str) -> str:
    """The cookie a browser holds after its first page: the first response adds
    the session's CSRF token (and sets the cookie again), as it would for a person
    signing in; every later request with it sets none. Without this, wrk's fixed
    cookie made every request re-sign the session, which no browser does."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port))
    for _ in range(2):
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status}")
        renewed = response.getheader("Set-Cookie")
        if renewed is None:
            return cookie
        cookie = renewed.split(";", 1)[0]
    raise SystemExit(f"{path}: the session is rewritten on every request")


def wrk(url: str, cookie: str | None = None) -> dict[str, Any]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "report.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    result: dict[str, Any] = json.loads(line)
    if result["non_2xx"] or result["errors"]:
        raise SystemExit(
            f"{url}: {result['non_2xx']} non-2xx, {result['errors']} errors"
        )
    return result


# The CSV as `portal export` writes it (in parts, one process per core up to
# two) and in one process.
EXPORTS = [
    ("csv", "csv", None),
    ("csv, 1 process", "csv", ["--jobs", "1"]),
    ("xlsx", "xlsx", None),
]


def export_run(
    settings: dict[str, str], fmt: str, folder: Path, jobs: list[str] | None = None
) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of `portal export` as its own process (the
    largest of its processes: a CSV is written in parts, one process each);
    ``jobs``: e.g. ["--jobs", "1"]."""
    output = folder / f"export.{fmt}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "portal",
            "export",
            "--format",
            fmt,
            "-o",
            str(output),
            *(jobs or []),
        ],
        cwd=ROOT,
        # As a server runs it: with compiled modules kept (a machine that sets
        # PYTHONDONTWRITEBYTECODE recompiles every changed module at each start,
        # about 0.2 s of an export).
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            **settings,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"export {fmt} failed ({status})")
    output.unlink()
    # Linux's wait4 gives the largest of the process and the parts it waited for.
    return seconds, usage.ru_maxrss / 1024


def measure(built: Built, url: str, folder: Path) -> dict[str, Any]:
    settings = {
        "PORTAL_SECRET_KEY": "bench",
        "PORTAL_DATABASE_URL": url,
        "PORTAL_INSTANCE_PATH": str(folder),
        "PORTAL_LOCAL_HTTP": "1",
        "PORTAL_RATELIMIT_ENABLED": "false",
    }
    results: dict[str, Any] = {"rows": built.rows}
    with served(settings, "bench.hello:app") as base:
        results["hello"] = wrk(base + "/")
    with served(settings) as base:
        results["health"] = wrk(base + "/health")
        results["sign-in"] = wrk(base + "/sign-in")
        deep = _deep_cursor(built)
        for name, user_id in built.moderators.items():
            cookie = as_browser(base, "/moderation", cookie_for(built, user_id))
            results[f"queue {name}"] = wrk(base + "/moderation", cookie)
            results[f"queue {name} deep"] = wrk(base + "/moderation" + deep, cookie)
        planner = cookie_for(built, built.planner)
        planner = as_browser(base, "/tagging/coverage", planner)
        results["summary"] = wrk(
            base + f"/summaries/recommendations/{built.recommendation_id}", planner
        )
        results["coverage"] = wrk(base + "/tagging/coverage", planner)
    approved = _approved(built)
    for name, fmt, jobs in EXPORTS:
        seconds, rss = export_run(settings, fmt, folder, jobs)
        results[f"export {name}"] = {
            "seconds_per_100k": seconds * 100_000 / approved,
            "peak_rss_mib": rss,
            "rows": approved,
        }
    return results


def _deep_cursor(built: Built) -> str:
    with built.app.app_context():
        session = db.get_session()
        found = session.execute(
            text(
                "SELECT id FROM submissions WHERE status = 'pending' "
                "AND submitted_on = :day ORDER BY id LIMIT 1"
            ),
            {"day": built.deep_day},
        ).scalar()
    return f"?after={built.deep_day.isoformat()}_{found or ''}"


def _approved(built: Built) -> int:
    with built.app.app_context():
        session = db.get_session()
        return int(
            session.execute(
                text("SELECT count(*) FROM submissions WHERE status = 'approved'")
            ).scalar_one()
        )


def _postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    with fresh_postgres("bench") as url:
        yield url


PAGES = [
    "queue team",
    "queue team deep",
    "queue independent",
    "queue independent deep",
    "summary",
    "coverage",
]


def table(kind: str, runs: list[dict[str, Any]]) -> str:
    lines = [
        f"{kind}: floors (requests/s) and pages; ratio = page throughput / "
        "the /sign-in page's in the same run",
        f"{'rows':>9} {'measure':<24} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} "
        f"{'p95 ms':>8}",
    ]
    for run in runs:
        floor = run["sign-in"]["rps"]
        for name in ("hello", "health", "sign-in", *PAGES):
            r = run[name]
            lines.append(
                f"{run['rows']:>9,} {name:<24} {r['rps']:>8.0f} "
                f"{r['rps'] / floor:>6.2f} {r['p50_ms']:>8.1f} "
                f"{r['p95_ms']:>8.1f}"
            )
        for name, _, _ in EXPORTS:
            e = run[f"export {name}"]
            lines.append(
                f"{run['rows']:>9,} export {name:<17} "
                f"{e['seconds_per_100k']:>8.2f} s per 100k rows, "
                f"peak RSS {e['peak_rss_mib']:.0f} MiB"
            )
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        growth = ", ".join(
            f"{name} {large[name]['p50_ms'] / small[name]['p50_ms']:.2f}"
            for name in PAGES
        )
        lines.append(
            f"growth, p50 at {large['rows']:,} / at {small['rows']:,}: {growth}"
        )
    return "\n".join(lines)


def write_docs(tables: list[str]) -> None:
    docs = ROOT / "docs" / "benchmarks.md"
    body = docs.read_text()
    machine = (
        f"Measured on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, "
        "gunicorn 2 sync workers, wrk 4 connections for 10 s on loopback."
    )
    block = (
        "<!-- bench:pages -->\n"
        + machine
        + "\n\n```text\n"
        + "\n\n".join(tables)
        + "\n```\n<!-- /bench:pages -->"
    )
    if "<!-- bench:pages -->" in body:
        body = re.sub(
            r"<!-- bench:pages -->.*<!-- /bench:pages -->",
            lambda _: block,
            body,
            flags=re.S,
        )
    else:
        body += (
            "\n## Pages and exports at national scale (`bench/pages.py`)\n\n"
            + block
            + "\n"
        )
    docs.write_text(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    tables = []
    for kind in args.db:
        if kind == "postgresql" and not _postgres_available():
            print("# no PostgreSQL on 127.0.0.1:5432: skipped")
            continue
        runs = []
        for rows in args.rows:
            with (
                tempfile.TemporaryDirectory() as folder,
                database(kind, Path(folder)) as url,
            ):
                started = time.perf_counter()
                built = build(url, rows)
                took = time.perf_counter() - started
                print(f"# {kind}: built {rows:,} rows in {took:.0f} s", flush=True)
                runs.append(measure(built, url, Path(folder)))
                db.get_engine(built.app).dispose()
                print(table(kind, runs[-1:]), flush=True)
        (ROOT / "bench" / "data").mkdir(exist_ok=True)
        (ROOT / "bench" / "data" / f"pages-{kind}.json").write_text(
            json.dumps(runs, indent=1)
        )
        tables.append(table(kind, runs))
    print("\n\n".join(tables))
    if not args.no_docs:
        write_docs(tables)


if __name__ == "__main__":
    main()
