"""The machine-wide limit on password checks (accounts/password_slots.py): a real
second process holds the slot, as another gunicorn worker would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import passwords
from portal.accounts.password_slots import password_check_slot
from portal.models import LoginFailure, Role, User
from tests.conftest import reload, sign_in_as
from tests.factories import DEFAULT_PASSWORD, make_user

BUSY = "Sign-in is busy at the moment"
WORDS = "Supervision is cancelled whenever the duty rota is short & nobody says why."


@contextmanager
def slot_held_elsewhere(
    folder: Path, slots: int = 1
) -> Iterator[subprocess.Popen[str]]:
    """Another process takes every slot and keeps them until told to stop."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder), str(slots)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "held"
    try:
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()


_HOLDER = """
import sys
from contextlib import ExitStack
from portal.accounts.password_slots import password_check_slot
folder, slots = sys.argv[1], int(sys.argv[2])
with ExitStack() as stack:
    assert all(stack.enter_context(password_check_slot(folder, slots, 0))
               for _ in range(slots))
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_slot_held_by_another_process_is_not_given_twice(tmp_path: Path) -> None:
    with slot_held_elsewhere(tmp_path), password_check_slot(tmp_path, 1, 0.1) as free:
        assert free is False
    with password_check_slot(tmp_path, 1, 0) as free:
        assert free is True, "given back when the holder finished"


def test_a_worker_that_dies_holding_a_slot_gives_it_back(tmp_path: Path) -> None:
    with slot_held_elsewhere(tmp_path) as holder:
        holder.kill()
        holder.wait(timeout=30)
        with password_check_slot(tmp_path, 1, 0) as free:
            assert free is True


def test_every_slot_counts_and_threads_of_one_process_exclude_each_other(
    tmp_path: Path,
) -> None:
    with slot_held_elsewhere(tmp_path, slots=1):
        with password_check_slot(tmp_path, 2, 0) as second:
            assert second is True, "two slots: one left"
            seen: list[bool] = []

            def another_thread() -> None:
                with password_check_slot(tmp_path, 2, 0) as free:
                    seen.append(free)

            thread = threading.Thread(target=another_thread)
            thread.start()
            thread.join(timeout=30)
            assert seen == [False]


def test_a_check_waits_for_a_slot_that_comes_free(tmp_path: Path) -> None:
    with slot_held_elsewhere(tmp_path) as holder:
        assert holder.stdin is not None
        timer = threading.Timer(0.2, holder.stdin.close)
        timer.start()
        with password_check_slot(tmp_path, 1, 30) as free:
            assert free is True
        timer.join()


def _busy_for(seconds: float) -> None:
    """Use the processor (a password check does; sleeping would not count)."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_a_slot_rests_so_checks_use_only_their_share_of_it(tmp_path: Path) -> None:
    with password_check_slot(tmp_path, 1, 0, share=0.5) as free:
        assert free is True
        _busy_for(0.3)
    with password_check_slot(tmp_path, 1, 0, share=0.5) as free:
        assert free is False, "resting for as long as the check took"
    with password_check_slot(tmp_path, 1, 30, share=0.5) as free:
        assert free is True, "free again once rested"
    with password_check_slot(tmp_path, 1, 0, share=1.0) as free:
        assert free is True, "a full share never rests"
    with password_check_slot(tmp_path, 1, 0, share=1.0) as free:
        assert free is True


def test_a_rest_far_in_the_future_is_not_believed(tmp_path: Path) -> None:
    with password_check_slot(tmp_path, 1, 0) as free:
        assert free is True
    (tmp_path / "password-checks" / "slot-0.lock").write_text(f"{time.time() + 3600}")
    with password_check_slot(tmp_path, 1, 0) as free:
        assert free is True, "a clock set back must not lock sign-in out for an hour"


@pytest.fixture
def own_slots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Apps made in the test get an instance folder of their own, so a slot
    left resting here cannot refuse another test's sign-in."""
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))


def _busy_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(PASSWORD_CHECKS_AT_ONCE=1, PASSWORD_CHECK_WAIT_SECONDS=0)


def test_sign_in_with_every_slot_taken_checks_nothing_and_keeps_the_words(
    make_app: Callable[..., Flask], session: Session, own_slots: None
) -> None:
    app = _busy_app(make_app)
    make_user(session, Role.CONTRIBUTOR, email="busy@council.example")
    client = app.test_client()
    fields = {
        "email": "busy@council.example",
        "password": DEFAULT_PASSWORD,
        "carried-obstacles": WORDS,
    }
    with slot_held_elsewhere(Path(app.instance_path)):
        refused = client.post("/sign-in?next=/feedback", data=fields)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert BUSY in refused.text and "govuk-error-summary" in refused.text
    assert 'value="busy@council.example"' in refused.text
    assert (
        'name="carried-obstacles" value="Supervision is cancelled whenever the duty '
        'rota is short &amp; nobody says why."' in refused.text
    )
    assert DEFAULT_PASSWORD not in refused.text
    assert client.get("/").status_code == 302, "not signed in"
    reload(session)
    failures = session.scalar(select(func.count()).select_from(LoginFailure))
    assert failures == 0, "a refusal for load is not a failed attempt"

    again = client.post("/sign-in?next=/feedback", data=fields)
    assert again.status_code == 200, "the words go back to their form"
    assert "data-auto-submit" in again.text


def test_a_password_change_with_every_slot_taken_changes_nothing(
    make_app: Callable[..., Flask], session: Session, own_slots: None
) -> None:
    app = _busy_app(make_app)
    user = make_user(session, Role.CONTRIBUTOR)
    before = user.password_hash
    client = app.test_client()
    sign_in_as(client, user)
    fields = {
        "current_password": DEFAULT_PASSWORD,
        "new_password": "a much longer new password 2026",
    }
    with slot_held_elsewhere(Path(app.instance_path)):
        refused = client.post("/account/password", data=fields)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert "your password could not be checked" in refused.text
    reload(session)
    assert session.get(User, user.id).password_hash == before

    changed = client.post("/account/password", data=fields)
    assert changed.status_code == 302
    reload(session)
    new_hash = session.get(User, user.id).password_hash
    assert passwords.verify_password(new_hash, "a much longer new password 2026")


def test_after_a_costly_check_the_next_one_waits_for_the_slot_to_rest(
    make_app: Callable[..., Flask], session: Session, own_slots: None
) -> None:
    """The app's rest follows the processor time spent hashing (here about half a
    second per check), not the request around it. A tenth share makes the rest
    nine times that: the next request must come within it, and on a busy
    machine (CI's PostgreSQL run) once came after a rest of one times it."""
    app = make_app(
        PASSWORD_CHECKS_AT_ONCE=1,
        PASSWORD_CHECK_WAIT_SECONDS=0,
        PASSWORD_CHECK_SHARE=0.1,
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000000",
    )
    assert app.instance_path.startswith(os.environ["PORTAL_INSTANCE_PATH"])
    client = app.test_client()
    fields = {"email": "nobody@council.example", "password": "not the password"}
    assert client.post("/sign-in", data=fields).status_code == 400, "checked"
    assert client.post("/sign-in", data=fields).status_code == 503, "resting"
