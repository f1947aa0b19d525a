"""`flask --app wsgi portal ...`, including the `make run` sequence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Area,
    AuditEvent,
    EngagementRound,
    PlanAction,
    Recommendation,
    Role,
    RoleGroup,
    Submission,
    Theme,
    User,
)
from tests.conftest import reload


def run(app: Flask, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["portal", *args], input=stdin)
    return result.exit_code, result.output


def test_make_run_sequence_is_idempotent_and_demo_accounts_sign_in(
    app: Flask, session: Session, instance_dir: Path
) -> None:
    code, out = run(app, "init")
    assert code == 0, out
    assert "areas: 20 added" in out
    code, out = run(app, "init")
    assert code == 0 and "areas: 0 added, 0 updated" in out
    (instance_dir / "demo-accounts.txt").unlink(missing_ok=True)
    code, out = run(app, "seed-demo")
    assert code == 0, out
    accounts = re.findall(r"^\s+(demo-\S+)\s+(\S+)\s+\(", out, re.M)
    assert len(accounts) == 7
    saved = (instance_dir / "demo-accounts.txt").read_text()
    assert all(password in saved for _, password in accounts)
    assert (instance_dir / "demo-accounts.txt").stat().st_mode & 0o077 == 0
    assert len({password for _, password in accounts}) == 7, "random, not fixed"
    code, out = run(app, "seed-demo")
    assert code == 0 and "already exist" in out
    reload(session)
    assert session.scalar(select(func.count()).select_from(User)) == 7
    assert session.scalar(select(func.count()).select_from(Area)) == 20
    assert session.scalar(select(func.count()).select_from(Recommendation)) == 20
    assert session.scalar(select(func.count()).select_from(EngagementRound)) == 1
    assert session.scalar(select(func.count()).select_from(RoleGroup)) == 6
    assert session.scalar(select(func.count()).select_from(Submission)) == 6
    assert session.scalar(select(func.count()).select_from(Theme)) == 6
    assert session.scalar(select(func.count()).select_from(PlanAction)) == 2
    client = app.test_client()
    for email, password in accounts:
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.headers["Location"] == "/", email
        assert client.get("/").status_code == 200
        if "contributor" in email:
            assert "Demo: staff engagement" in client.get("/feedback").text
        if "moderator" in email:
            assert "6 items" in client.get("/moderation").text
        if "board" in email:
            board = client.get("/board").text
            assert "Amber actions (1)" in board and "Team manager vacancies" in board
        client.post("/sign-out")


def test_create_user_generates_a_one_time_password(
    app: Flask, session: Session
) -> None:
    code, out = run(
        app,
        "create-user",
        "New@Council.Example",
        "--name",
        "New Person",
        "--role",
        "planner",
        "--role",
        "moderator",
    )
    assert code == 0, out
    assert "One-time password" in out
    reload(session)
    user = session.scalar(select(User).where(User.email == "new@council.example"))
    assert user is not None and user.must_change_password
    assert user.roles == {Role.PLANNER, Role.MODERATOR}


def test_create_user_reads_a_password_from_stdin(app: Flask, session: Session) -> None:
    code, out = run(
        app,
        "create-user",
        "piped@council.example",
        "--name",
        "Piped",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert code == 0, out
    assert "One-time password" not in out
    response = app.test_client().post(
        "/sign-in",
        data={"email": "piped@council.example", "password": "a long enough passphrase"},
    )
    assert response.headers["Location"] == "/"
    code, out = run(
        app,
        "create-user",
        "weak@council.example",
        "--name",
        "Weak",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 1 and "12 characters" in out


def test_set_roles_and_disable_user(app: Flask, session: Session) -> None:
    run(app, "create-user", "a@council.example", "--name", "A", "--role", "admin")
    run(app, "create-user", "b@council.example", "--name", "B", "--role", "contributor")
    code, out = run(app, "set-roles", "b@council.example", "--role", "moderator")
    assert code == 0, out
    code, out = run(app, "disable-user", "b@council.example")
    assert code == 0, out
    code, out = run(app, "disable-user", "a@council.example")
    assert code == 1 and "last administrator" in out
    code, out = run(app, "set-roles", "nobody@council.example", "--role", "admin")
    assert code == 1 and "No account" in out
    code, out = run(app, "set-roles", "b@council.example", "--role", "emperor")
    assert code == 2
    reload(session)
    b = session.scalar(select(User).where(User.email == "b@council.example"))
    assert b is not None and b.roles == {Role.MODERATOR} and b.disabled_at is not None
    actions = list(session.scalars(select(AuditEvent.action)))
    assert "roles_changed" in actions and "user_disabled" in actions


def test_import_framework_from_json_and_csv(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    from portal.framework.importer import BUNDLED

    code, out = run(app, "import-framework", str(BUNDLED))
    assert code == 0 and "areas: 20 added" in out
    csv_file = tmp_path / "recommendations.csv"
    csv_file.write_text(
        "code,text,addressed_to,areas,placeholder\n"
        "LA-R1,Improve supervision,local_authority,LA-01,false\n"
    )
    code, out = run(app, "import-framework", str(csv_file))
    assert code == 1 and "--inspection" in out
    code, out = run(
        app, "import-framework", str(csv_file), "--inspection", "cheshire-east-2015"
    )
    assert code == 0 and "recommendations: 1 added" in out
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "code,text,addressed_to,areas,placeholder\n"
        "LA-R2,Fine,local_authority,LA-01,false\n"
        "LA-R3,,somebody,LA-99,maybe\n"
    )
    code, out = run(
        app, "import-framework", str(broken), "--inspection", "cheshire-east-2015"
    )
    assert code == 1
    assert "line 3" in out and "'text' is missing" in out
    reload(session)
    codes = set(session.scalars(select(Recommendation.code)))
    assert "LA-R2" not in codes, "nothing from a refused file is kept"


def test_configure_privacy_sets_the_councils_own_formats(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked by `portal init` of a person; here answered on stdin, as by a person."""
    from portal import create_app
    from portal.privacy import PrivacySettings, scan
    from tests.conftest import base_config

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    first = create_app(base_config(database_url))
    code, out = run(
        first, "configure-privacy", stdin="cw1 4hq\nCP/2022/0417, LCS1234567\n"
    )
    assert code == 0, out
    assert (tmp_path / "config.py").stat().st_mode & 0o777 == 0o600
    configured = create_app(base_config(database_url))
    assert configured.config["OFFICE_POSTCODES"] == ["CW1 4HQ"]
    settings = PrivacySettings.from_config(configured.config)
    text = "Write to CW1 4HQ about CP/2023/0091 and LCS7654321, not CP/2023/00911."
    found = [(text[f.start : f.end], f.kind) for f in scan(text, settings)]
    assert found == [
        ("CP/2023/0091", "case_reference"),
        ("LCS7654321", "case_reference"),
    ]
    code, out = run(configured, "configure-privacy", "--office-postcode", "ZZ9 9ZZ")
    assert code != 0 and "is not a UK postcode" in out
    assert create_app(base_config(database_url)).config["OFFICE_POSTCODES"] == [
        "CW1 4HQ"
    ]
