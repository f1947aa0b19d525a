"""notify-moderators: counts only, by email when SMTP is configured."""

from __future__ import annotations

from unittest import mock

from flask import Flask
from sqlalchemy.orm import Session

from portal.models import EngagementRound, Role
from tests.factories import make_submission, make_team, make_user

DISCLOSURE = "My sister Amy has bruises and is scared to go home."


def test_prints_what_it_would_send_without_smtp(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Team N")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    make_user(session, Role.MODERATOR, team=team, email="mod@council.example")
    make_user(
        session,
        Role.MODERATOR,
        team=make_team(session, "Quiet"),
        email="quiet@council.example",
    )
    make_user(session, Role.SAFEGUARDING_LEAD, email="dsl@council.example")
    make_submission(session, writer, open_round, team=team, text="Caseloads are high.")
    make_submission(session, writer, open_round, team=team, text=DISCLOSURE)
    result = app.test_cli_runner().invoke(args=["portal", "notify-moderators"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "To: mod@council.example" in out and "1 item is waiting for moderation" in out
    )
    assert (
        "To: dsl@council.example" in out and "1 item needs safeguarding review" in out
    )
    assert "quiet@council.example" not in out, "nothing waits in their scope"
    assert "Caseloads" not in out and "bruises" not in out and "Amy" not in out


def test_sends_by_smtp_when_configured(
    make_app: object, session: Session, open_round: EngagementRound
) -> None:
    app = make_app(SMTP_HOST="smtp.council.example", SMTP_USERNAME="portal")  # type: ignore[operator]
    team = make_team(session, "Team S")
    make_user(session, Role.MODERATOR, team=team, email="m@council.example")
    make_submission(
        session, make_user(session, Role.CONTRIBUTOR, team=team), open_round, team=team
    )
    with mock.patch("smtplib.SMTP") as smtp_class:
        result = app.test_cli_runner().invoke(args=["portal", "notify-moderators"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 notification email(s)." in result.output
    smtp = smtp_class.return_value.__enter__.return_value
    smtp.starttls.assert_called_once()
    smtp.login.assert_called_once_with("portal", "")
    email = smtp.send_message.call_args.args[0]
    assert email["To"] == "m@council.example"
    assert "Supervision" not in email.get_content()
