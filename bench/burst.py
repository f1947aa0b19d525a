"""Benchmark: do submits stay quick while many people sign in at once?

Issue 16: 8 writers x 50 submissions (400) through a real server must all be
stored, and a burst of sign-ins (scrypt, as in production) must not slow them by
more than 2x. Each writer signs in over HTTP, then loads the form (for its CSRF and
one-time tokens) and posts it, 50 times. The same run is made twice on a fresh
database: alone, and with BURSTERS threads signing in again and again (each a new
browser) until the writers finish. Rate limits are off, so the burst reaches the
password check rather than a 429; everyone told "Sign-in is busy" (503) waits the
Retry-After and tries again, as a person would.

Run: `make bench` or `.venv/bin/python bench/burst.py [--db sqlite postgresql]`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from portal import create_app, db  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.accounts.service import create_user  # noqa: E402
from portal.demo import seed_demo  # noqa: E402
from portal.models import AnonymousInbox, EngagementRound, Submission  # noqa: E402
from tests.servers import fresh_postgres, gunicorn  # noqa: E402

WRITERS = 8
EACH = 50
BURSTERS = 8
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))  # issue 16 measured 2 sync workers
PASSWORD = "correct horse battery staple 2015"  # noqa: S105 (bench accounts only)
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class Setup:
    url: str
    form: str
    writers: list[str]
    bursters: list[str]


def prepare(url: str, folder: Path) -> Setup:
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(folder)})  # fmt: skip
    db.upgrade(app)
    with app.app_context():
        session = db.get_session()
        seed_demo(session, "scrypt")
        engagement = session.scalars(select(EngagementRound)).first()
        assert engagement is not None
        form = f"/feedback/rounds/{engagement.id}/areas/{engagement.areas[0].id}"
        emails: list[str] = []
        password_hash = hash_password(PASSWORD, "scrypt")
        for n in range(WRITERS + BURSTERS):
            email = f"bench{n}@council.example"
            create_user(session, None, email=email, display_name=f"Bench {n}",
                        roles=["contributor"], password_hash=password_hash,
                        team_id=None, must_change_password=False)  # fmt: skip
            emails.append(email)
        session.commit()
    db.get_engine(app).dispose()
    return Setup(url, form, emails[:WRITERS], emails[WRITERS:])


def _browser() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _get(browser: urllib.request.OpenerDirector, url: str) -> str:
    with browser.open(url, timeout=60) as response:
        return str(response.read().decode())


def _post(browser: urllib.request.OpenerDirector, url: str, fields: dict[str, str]
          ) -> tuple[int, str]:  # fmt: skip
    body = urllib.parse.urlencode(fields).encode()
    try:
        with browser.open(url, data=body, timeout=60) as response:
            return int(response.status), str(response.geturl())
    except urllib.error.HTTPError as error:
        return int(error.code), url


def sign_in(base: str, email: str, busy: list[int] | None = None
            ) -> urllib.request.OpenerDirector:  # fmt: skip
    """Sign in as a person would: when every password-check slot is taken (503,
    "wait a few seconds"), wait the Retry-After and send the form again."""
    browser = _browser()
    page = _get(browser, base + "/sign-in")
    token = _CSRF.search(page)
    assert token is not None
    while True:
        status, landed, retry_after = _post_sign_in(
            browser, base, token.group(1), email
        )
        if status != 503:
            break
        if busy is not None:
            busy.append(1)
        time.sleep(retry_after)
    assert status == 200 and not landed.endswith("/sign-in"), (status, landed)
    return browser


def _post_sign_in(browser: urllib.request.OpenerDirector, base: str, csrf: str,
                  email: str) -> tuple[int, str, float]:  # fmt: skip
    body = urllib.parse.urlencode({"csrf_token": csrf, "email": email,
                                   "password": PASSWORD}).encode()  # fmt: skip
    try:
        with browser.open(base + "/sign-in", data=body, timeout=60) as response:
            return int(response.status), str(response.geturl()), 0.0
    except urllib.error.HTTPError as error:
        return (
            int(error.code),
            base + "/sign-in",
            float(error.headers["Retry-After"] or 1),
        )


def write(base: str, setup: Setup, email: str, latencies: list[float],
          failures: list[str]) -> None:  # fmt: skip
    browser = sign_in(base, email)
    for n in range(EACH):
        page = _get(browser, base + setup.form)
        csrf, token = _CSRF.search(page), _FORM_TOKEN.search(page)
        assert csrf is not None and token is not None
        fields = {"csrf_token": csrf.group(1), "form_token": token.group(1),
                  "mode": "anonymous" if n % 3 == 0 else "named",
                  "obstacles": f"Item {n} from writer {email.split('@')[0][5:]}: "
                  "too many handovers between teams.",
                  "biggest_difference": "Protected time for supervision.",
                  "practice_example": "", "priority": "4", "team_id": "",
                  "role_group_id": ""}  # fmt: skip
        started = time.perf_counter()
        status, landed = _post(browser, base + setup.form, fields)
        latencies.append(time.perf_counter() - started)
        if status != 200 or not landed.endswith("/feedback/thank-you"):
            failures.append(f"{email}/{n}: {status} {landed}")


def burst(base: str, emails: list[str], stop: threading.Event, count: list[int],
          busy: list[int]) -> None:  # fmt: skip
    n = 0
    while not stop.is_set():
        sign_in(base, emails[n % len(emails)], busy)
        count.append(1)
        n += 1


def run(base: str, setup: Setup, with_burst: bool) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    sign_ins: list[int] = []
    busy: list[int] = []
    stop = threading.Event()
    bursters = [
        threading.Thread(target=burst, args=(base, [email], stop, sign_ins, busy))
        for email in (setup.bursters if with_burst else [])
    ]
    writers = [
        threading.Thread(target=write, args=(base, setup, email, latencies, failures))
        for email in setup.writers
    ]
    started = time.perf_counter()
    for thread in bursters + writers:
        thread.start()
    for thread in writers:
        thread.join()
    seconds = time.perf_counter() - started
    stop.set()
    for thread in bursters:
        thread.join()
    quantiles = statistics.quantiles(latencies, n=20)
    return {
        "submits": len(latencies),
        "failures": failures[:5],
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": quantiles[18] * 1000,
        "sign_ins_per_s": len(sign_ins) / seconds,
        "asked_to_wait_per_s": len(busy) / seconds,
        "seconds": seconds,
    }


def stored(url: str) -> int:
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        # Anonymous input waits in its inbox for the overnight release; both count.
        session = db.get_session()
        total = sum(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Submission, AnonymousInbox)
        )
    db.get_engine(app).dispose()
    return total


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'burst.sqlite3'}"
    else:
        with fresh_postgres("fv_burst") as url:
            yield url


def measure(kind: str) -> dict[str, Any]:
    results: dict[str, Any] = {"database": kind, "workers": WORKERS}
    for name, with_burst in (("alone", False), ("burst", True)):
        with (
            tempfile.TemporaryDirectory() as folder,
            database(kind, Path(folder)) as url,
        ):
            setup = prepare(url, Path(folder))
            before = stored(url)
            settings = {"PORTAL_SECRET_KEY": "bench", "PORTAL_DATABASE_URL": url,
                        "PORTAL_INSTANCE_PATH": folder, "PORTAL_LOCAL_HTTP": "1",
                        "PORTAL_RATELIMIT_ENABLED": "false"}  # fmt: skip
            with gunicorn(settings, workers=WORKERS) as base:
                result = run(base, setup, with_burst)
            result["stored"] = stored(url) - before
            results[name] = result
    results["slowdown_p95"] = results["burst"]["p95_ms"] / results["alone"]["p95_ms"]
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{results['database']}: {WRITERS} writers x {EACH} submits, "
        f"{results['workers']} sync workers; burst: {BURSTERS} threads signing in"
    ]
    for name in ("alone", "burst"):
        r = results[name]
        lines.append(
            f"  {name:<6} stored {r['stored']}/{r['submits']}"
            f"  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms"
            f"  sign-ins {r['sign_ins_per_s']:5.1f}/s"
            f" (asked to wait {r['asked_to_wait_per_s']:4.1f}/s)"
            f"  failures {len(r['failures'])}"
        )
    lines.append(f"  submit p95 with the burst / alone: {results['slowdown_p95']:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    everything = []
    for kind in args.db:
        results = measure(kind)
        everything.append(results)
        print(report(results), flush=True)
    (ROOT / "bench" / "data").mkdir(exist_ok=True)
    (ROOT / "bench" / "data" / "burst.json").write_text(
        json.dumps(everything, indent=1)
    )


if __name__ == "__main__":
    main()
