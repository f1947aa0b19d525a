"""Each leak found when the portal was tried as an insider would, closed at its
root: one test per finding (the numbers are the anonymity issue's)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zlib
from datetime import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.teams import save_role_group
from portal.models import (
    ActionUpdate,
    AuditEvent,
    Draft,
    EngagementRound,
    PlanAction,
    Recommendation,
    RecommendationTag,
    ReportRequest,
    Role,
    Submission,
    SummaryNote,
    utcnow,
)
from portal.moderation.service import Decision, DecisionDetails, decide
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user
from tests.feedback.conftest import answers, form_url, fresh_token


def _approve(session: Session, item: Submission, **details: object) -> None:
    moderator = make_user(session, Role.MODERATOR)
    moderator.independent_moderator = True
    session.commit()
    decide(
        session,
        moderator,
        item,
        DecisionDetails(Decision.APPROVE, **details),  # type: ignore[arg-type]
        utcnow(),
    )
    session.commit()


def _csv_rows(client: FlaskClient) -> list[dict[str, str]]:
    body = client.post("/summaries/export", data={"format": "csv"}).get_data(
        as_text=True
    )
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


# 2 -----------------------------------------------------------------------------


def test_export_suppresses_a_team_and_role_unique_in_combination(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """Team A and role X are each large (11 rows) but together one person."""
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    role_x = save_role_group(session, None, name="Team manager")
    role_y = save_role_group(session, None, name="Social worker")
    session.commit()
    writer = make_user(session, Role.CONTRIBUTOR)
    plan = [(team_a, role_y, 10), (team_b, role_x, 10), (team_a, role_x, 1)]
    for team, role, n in plan:
        for i in range(n):
            text = "THE-ONE" if n == 1 else f"{team.name} {role.name} {i}"
            item = make_submission(session, writer, open_round, team=team, text=text)
            item.role_group_id = role.id
            item.status = "approved"
    session.commit()
    sign_in_as(client, make_user(session, Role.PLANNER))
    table = _csv_rows(client)
    assert len(table) == 21
    unique = next(r for r in table if r["What gets in the way"] == "THE-ONE")
    assert unique["Team or service"] == unique["Role"] == "Not shown (small group)"
    shown: dict[tuple[str, str], int] = {}
    for row in table:
        key = (row["Team or service"], row["Role"])
        shown[key] = shown.get(key, 0) + 1
    assert all(n >= 10 for n in shown.values()), shown


# 3 -----------------------------------------------------------------------------


def _everywhere(session: Session, needle: str) -> list[str]:
    from portal.models import Base

    reload(session)
    found = []
    with session.get_bind().connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                if needle in json.dumps([str(v) for v in row]):
                    found.append(table.name)
    return found


def test_redaction_reaches_every_copy_and_the_audit_holds_no_free_text(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    name = "Jaydenn Quarrington"
    team = make_team(session, "Team R")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    item = make_submission(
        session, writer, open_round, team=team, text=f"{name} waited a year."
    )
    moderator = make_user(session, Role.MODERATOR, team=team)
    sign_in_as(client, moderator)
    returned = client.post(
        f"/moderation/items/{item.id}",
        data={"decide-decision": "return", "decide-seen_status": "pending",
              "decide-note": f"Please take {name} out."},
    )  # fmt: skip
    assert returned.status_code == 302
    # Copies made elsewhere meanwhile: the writer's draft, a planner's narrative
    # and a plan action that quote the name.
    session.add(
        Draft(
            user_id=writer.id,
            round_id=open_round.id,
            area_id=item.area_id,
            answers={"obstacles": f"About {name}"},
        )
    )
    session.add(
        SummaryNote(
            subject_type="area",
            subject_id=item.area_id,
            key_messages=f"{name}'s case",
            questions="",
        )
    )
    rec = session.scalars(select(Recommendation)).first()
    assert rec is not None
    action = PlanAction(recommendation_id=rec.id, action=f"Review {name}",
                        lead_officer="Head of service", target_date=utcnow().date(),
                        success_measure="Done")  # fmt: skip
    session.add(action)
    session.flush()
    # ... and what lead officers and the board wrote about it.
    session.add(ActionUpdate(action_id=action.id, quarter="2015-Q3", status="done",
                             percent_complete=50, suggested_rag="green", rag="red",
                             reason=f"{name} moved", commentary=f"Visited {name}",
                             remedial_step=""))  # fmt: skip
    session.add(ReportRequest(recommendation_id=rec.id, due_on=utcnow().date(),
                              question=f"What about {name}?"))  # fmt: skip
    session.commit()
    redacted = client.post(
        f"/moderation/items/{item.id}/redact",
        data={"redact-text_field": "obstacles", "redact-text": name,
              "redact-reason": "child"},
    )  # fmt: skip
    assert redacted.status_code == 302
    assert _everywhere(session, name) == []
    assert _everywhere(session, "Jaydenn") == []
    reasons = session.scalars(select(AuditEvent.reason)).all()
    assert set(reasons) <= {None, "child"}, "codes only in the audit trail"


def test_the_audit_refuses_free_text() -> None:
    from portal.audit.service import check_no_free_text

    check_no_free_text("off_topic", {"after": {"status": "approved"}})
    with pytest.raises(ValueError, match="code"):
        check_no_free_text("Please take Jayden out.")
    with pytest.raises(ValueError, match="free text"):
        check_no_free_text(None, {"after": {"note": "line one\nline two"}})


# 4 -----------------------------------------------------------------------------


def test_times_on_anonymous_rows_are_the_day_only(
    session: Session, open_round: EngagementRound
) -> None:
    from portal.moderation.safeguarding import record_action

    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round, anonymous=True)
    _approve(session, item)
    flagged = make_submission(
        session, writer, open_round, anonymous=True, text="He hits her at home."
    )
    assert flagged.status == "safeguarding"
    lead = make_user(session, Role.SAFEGUARDING_LEAD)
    record_action(session, lead, flagged, "referred_mash", "", utcnow())
    session.commit()
    reload(session)
    for row in (session.get(Submission, item.id), session.get(Submission, flagged.id)):
        assert row is not None
        for moment in (row.decided_at, row.safeguarding_actioned_at):
            assert moment is None or moment.time() == time(0), moment
    assert session.get(Submission, item.id).decided_at is not None  # type: ignore[union-attr]
    named = make_submission(session, writer, open_round)
    _approve(session, named)
    reload(session)
    kept = session.get(Submission, named.id)
    assert kept is not None and kept.decided_at is not None
    # Named rows keep the exact time (the test could run at midnight: compare
    # with what the moderator's audit row says instead).
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.subject_id == named.id, AuditEvent.action == "input_approved"
        )
    )
    assert event is not None
    assert abs((kept.decided_at - event.occurred_at).total_seconds()) < 60


# 5 -----------------------------------------------------------------------------


def test_nothing_is_chosen_or_autosaved_before_give_my_name(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    page = client.get(url).text
    radios = re.findall(r'<input[^>]+name="mode"[^>]*>', page)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    unchosen = client.post(url + "/draft", json={"obstacles": "DRAFT-MARKER"})
    assert unchosen.get_json()["saved"] is False
    reload(session)
    assert session.scalars(select(Draft)).all() == []
    named = client.post(url + "/draft", json={"mode": "named", "obstacles": "x"})
    assert named.get_json()["saved"] is True


def test_deleting_a_draft_leaves_no_copy_in_the_file_or_the_wal(
    client: FlaskClient, session: Session, open_round: EngagementRound, app: Flask
) -> None:
    from tests.conftest import database_file_bytes

    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        pytest.skip("SQLite files; PostgreSQL's old row versions go at VACUUM")
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    marker = "DRAFTMARKER" + "Q" * 12
    client.post(url + "/draft", json={"mode": "named", "obstacles": marker})
    reload(session)
    gone = client.post(url + "/draft", json={"mode": "anonymous"})
    assert gone.get_json()["saved"] is False
    reload(session)
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    for suffix in ("", "-wal"):
        assert marker.encode() not in database_file_bytes(Path(database + suffix)), (
            suffix or "database file"
        )


# 6 -----------------------------------------------------------------------------


def _cookie_payload(client: FlaskClient, app: Flask) -> dict[str, object]:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return dict(json.loads(zlib.decompress(raw) if compressed else raw))


def test_the_receipt_never_travels_in_the_cookie_and_an_old_cookie_shows_nothing(
    client: FlaskClient, session: Session, open_round: EngagementRound, app: Flask
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    client.post(
        url, data=answers(mode="anonymous", form_token=fresh_token(client, url))
    )
    payload = _cookie_payload(client, app)
    old_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert old_cookie is not None
    thanks = client.get("/feedback/thank-you").text
    code = re.search(r'id="receipt-code">([^<]+)<', thanks)
    assert code is not None
    flat = json.dumps(payload)
    assert code.group(1) not in flat and code.group(1).replace("-", "") not in flat
    assert "anonymous" not in flat, "the cookie does not say what kind was sent"
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], old_cookie.value)
    replayed = client.get("/feedback/thank-you").text
    assert code.group(1) not in replayed


# 7 -----------------------------------------------------------------------------


def test_flagged_input_needs_redaction_or_a_reasoned_approval(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Team P")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    flagged = make_submission(
        session, writer, open_round, team=team, text="Call Mum on 07700 900123."
    )
    plain = make_submission(session, writer, open_round, team=team, text="Fine.")
    assert flagged.has_personal_data and not plain.has_personal_data
    sign_in_as(client, make_user(session, Role.MODERATOR, team=team))
    bulk = client.post(
        "/moderation/bulk",
        data={"item_ids": [flagged.id, plain.id], "decision": "approve"},
    ).text
    assert "1 item approved." in bulk and "1 not approved" in bulk
    one = client.post(
        f"/moderation/items/{flagged.id}",
        data={"decide-decision": "approve", "decide-seen_status": "pending"},
    )
    assert one.status_code == 400 and "may still contain personal data" in one.text
    reload(session)
    assert session.get(Submission, flagged.id).status == "pending"  # type: ignore[union-attr]
    ok = client.post(
        f"/moderation/items/{flagged.id}",
        data={"decide-decision": "approve", "decide-seen_status": "pending",
              "decide-personal_data_reason": "not_identifying"},
    )  # fmt: skip
    assert ok.status_code == 302
    reload(session)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "approved_with_personal_data")
    )
    assert event is not None and event.reason == "not_identifying"
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get("/summaries/export").text
    assert "1 of the items included was approved although it may contain" in page


def test_narratives_and_quotes_get_the_personal_data_check(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    area = open_round.areas[0]
    sign_in_as(client, make_user(session, Role.PLANNER))
    url = f"/summaries/areas/{area.id}/narrative"
    text = {"key_messages": "Ring Mrs Smith on **07700 900123**", "questions": ""}
    refused = client.post(url, data=text)
    assert refused.status_code == 400 and "may contain personal data" in refused.text
    assert 'value="save_anyway"' in refused.text
    reload(session)
    assert session.scalars(select(SummaryNote)).all() == []
    saved = client.post(url, data={**text, "action": "save_anyway"})
    assert saved.status_code == 302
    reload(session)
    item = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round,
                           text="Ring 07700 900123 about the plan.")  # fmt: skip
    item.status = "approved"
    session.commit()
    quote = {"quote-field": "obstacles", "quote-text": "Ring 07700 900123"}
    refused = client.post(f"/tagging/items/{item.id}/quotes", data=quote)
    assert refused.status_code == 400 and 'value="save_anyway"' in refused.text
    kept = client.post(
        f"/tagging/items/{item.id}/quotes", data={**quote, "action": "save_anyway"}
    )
    assert kept.status_code == 302


# 8 -----------------------------------------------------------------------------


def test_withdrawn_input_stops_counting_everywhere_including_the_plan(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from portal.plan import exports as plan_exports
    from portal.plan import service as plan_service

    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round, text="Cite me, then go.")
    item.status = "approved"
    rec = session.scalars(select(Recommendation)).first()
    assert rec is not None
    session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
    action = PlanAction(recommendation_id=rec.id, action="Act", lead_officer="Lead",
                        target_date=utcnow().date(),
                        success_measure="Measured")  # fmt: skip
    action.evidence = [item]
    session.add(action)
    session.commit()
    assert _cited(plan_service.plan(session)) == 1
    sign_in_as(client, writer)
    client.post(f"/feedback/mine/{item.id}/withdraw", data={"confirmed": "yes"})
    reload(session)
    plan = plan_service.plan(session)
    assert _cited(plan) == 0
    rows = plan_exports._rows(plan, plan_exports._evidence(plan))
    assert [r[-1] for r in rows if r[1] == "Act"] == ["None cited"]
    assert plan_service.evidence_choices(session, rec.id) == []


def _cited(plan: list[tuple[Recommendation, list[PlanAction]]]) -> int:
    return sum(len(a.evidence) for _, actions in plan for a in actions)


# 9 -----------------------------------------------------------------------------


def test_a_false_alarm_goes_back_to_moderation_and_writers_are_told_the_same(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Team S")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    sign_in_as(client, writer)
    pages = []
    for text in ("The cuts hits her team hardest.", "Supervision is cancelled."):
        url = form_url(open_round)
        client.post(url, data=answers(obstacles=text, team_id=str(team.id),
                                      form_token=fresh_token(client, url)))  # fmt: skip
        pages.append(_without_tokens(client.get("/feedback/thank-you").text))
        url = form_url(open_round, 1)
    assert pages[0] == pages[1], "nothing on the thank-you page reveals triage"
    assert "999" in pages[0]
    reload(session)
    alarm = session.scalar(
        select(Submission).where(Submission.status == "safeguarding")
    )
    assert alarm is not None
    lead = make_user(session, Role.SAFEGUARDING_LEAD)
    sign_in_as(client, lead)
    sent = client.post(
        f"/safeguarding/items/{alarm.id}", data={"action": "not_a_concern"}
    )
    assert sent.status_code == 302
    reload(session)
    assert session.get(Submission, alarm.id).status == "pending"  # type: ignore[union-attr]
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "safeguarding_released")
    )
    sign_in_as(client, make_user(session, Role.MODERATOR, team=team))
    assert client.get(f"/moderation/items/{alarm.id}").status_code == 200


def _without_tokens(html: str) -> str:
    """A page without what differs on every request: tokens, the CSP nonce, and
    the session's seconds left (which ticks while the test runs)."""
    return re.sub(r'(nonce|value|data-seconds-left)="[^"]*"', "", html)


# 10 ----------------------------------------------------------------------------


def test_administrators_see_input_that_no_moderator_can_reach(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    lonely = make_team(session, "Team with no moderator")
    covered = make_team(session, "Team with a moderator")
    make_user(session, Role.MODERATOR, team=covered)
    writer = make_user(session, Role.CONTRIBUTOR)
    make_submission(session, writer, open_round, team=lonely, text="SECRET-WORDS")
    make_submission(session, writer, open_round, team=covered)
    sign_in_as(client, make_user(session, Role.ADMIN))
    home = client.get("/").text
    area = open_round.areas[0]
    assert "outside every moderator" in home
    row = re.search(rf"{re.escape(area.code)}: [^<]*</td><td[^>]*>(\d+)<", home)
    assert row is not None and row.group(1) == "1"
    assert "SECRET-WORDS" not in home


# 11 ----------------------------------------------------------------------------


def test_a_moderator_never_decides_input_they_recorded(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    moderator = make_user(session, Role.MODERATOR)
    moderator.independent_moderator = True
    session.commit()
    sign_in_as(client, moderator)
    url = f"/feedback/rounds/{open_round.id}/sessions/new"
    data = answers(
        form_token=fresh_token(client, url),
        area_id=str(open_round.areas[0].id),
        held_on=["20", "11", "2026"],
        session_type="workshop",
        attendees="6",
        obstacles="What the group said.",
    )
    assert client.post(url, data=data).status_code == 302
    reload(session)
    recorded = session.scalar(select(Submission))
    assert recorded is not None and recorded.recorded_by_id == moderator.id
    assert client.get(f"/moderation/items/{recorded.id}").status_code == 404
    assert "What the group said." not in client.get("/moderation").text
    privacy = client.get("/privacy").text
    assert "may reach your own moderation queue" in privacy


# 13 ----------------------------------------------------------------------------


def test_database_files_and_cli_exports_are_owner_only(
    app: Flask, session: Session, open_round: EngagementRound, tmp_path: object
) -> None:
    import os
    import stat

    from portal.db import create_owner_only

    fresh = Path(str(tmp_path)) / "fresh.sqlite3"
    create_owner_only(str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    old_umask = os.umask(0o022)
    try:
        import sqlite3

        connection = sqlite3.connect(fresh)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        for suffix in ("-wal", "-shm"):
            side = Path(f"{fresh}{suffix}")
            assert stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
        connection.close()
    finally:
        os.umask(old_umask)
    target = Path(str(tmp_path)) / "export.csv"
    result = app.test_cli_runner().invoke(
        args=["portal", "export", "--format", "csv", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
