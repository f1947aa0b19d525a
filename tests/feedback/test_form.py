"""The feedback form: named input, the personal-data check, and no input ever lost."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    AnonymousInbox,
    AuditEvent,
    Draft,
    EngagementRound,
    Role,
    RoleGroup,
    Submission,
    User,
)
from tests.conftest import reload, sign_in_as
from tests.factories import DEFAULT_PASSWORD, make_team, make_user
from tests.feedback.conftest import answers, form_url, fresh_token

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{7*7}}",
       "javascript:alert(1)"]  # fmt: skip


def count(session: Session) -> int:
    """Items stored: released, or anonymous and still held in the inbox."""
    reload(session)
    return sum(
        int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Submission, AnonymousInbox)
    )


def test_contributor_sees_open_rounds_and_the_area_they_comment_on(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert "Autumn staff engagement" in client.get("/feedback").text
    round_page = client.get(f"/feedback/rounds/{open_round.id}").text
    area = open_round.areas[0]
    assert area.title in round_page and area.description in round_page
    form = client.get(form_url(open_round)).text
    assert area.title in form and area.description in form
    assert "This is not a way to report a concern about a child" in form
    assert "Nobody can follow it up with you" in form
    assert "could identify you, even if you stay anonymous" in form


def test_named_input_is_stored_audited_and_listed(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Children in Need North")
    writer = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(client, writer)
    url = form_url(open_round)
    response = client.post(
        url, data=answers(form_token=fresh_token(client, url), team_id=str(team.id))
    )
    assert response.headers["Location"] == "/feedback/thank-you"
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None and row.kind == "named" and row.author_id == writer.id
    assert row.submitted_at is not None and row.team_id == team.id and row.priority == 4
    assert row.pii_flags is None and not row.safeguarding_flag
    event = session.scalar(select(AuditEvent).where(AuditEvent.subject_id == row.id))
    assert event is not None and event.actor_id == writer.id
    mine = client.get("/feedback/mine").text
    assert (
        "Too many handovers between teams." in mine
        and "Received: being reviewed" in mine
    )


def test_at_least_one_answer_and_a_priority_are_needed(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    empty = client.post(
        url,
        data=answers(
            obstacles="", biggest_difference="", practice_example="  ", form_token=token
        ),
    )
    assert empty.status_code == 400
    assert "Answer at least one of the three questions" in empty.text
    no_priority = client.post(url, data=answers(priority="", form_token=token))
    assert "Select how much improving this would help" in no_priority.text
    assert "Too many handovers between teams." in no_priority.text
    assert count(session) == 0


def test_personal_data_is_highlighted_and_kept_until_the_writer_decides(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    text = "Mum, Sarah rang from 07700 900123 about baby Jayden's DOB 03/04/2016."
    warned = client.post(url, data=answers(practice_example=text, form_token=token))
    assert warned.status_code == 200
    assert "Your answers may include personal data" in warned.text
    assert '<mark class="app-flag">07700 900123' in warned.text
    assert "Phone number: “07700 900123”" in warned.text
    assert "Date of birth: “03/04/2016”" in warned.text
    assert (
        "Mum, Sarah rang from 07700 900123 about baby Jayden&#39;s DOB" in warned.text
    )
    assert 'value="submit_anyway"' in warned.text
    assert token in warned.text, "the same form, so a resend is still idempotent"
    assert count(session) == 0, "nothing stored before the writer decides"
    sent = client.post(
        url,
        data=answers(practice_example=text, form_token=token, action="submit_anyway"),
    )
    assert sent.headers["Location"] == "/feedback/thank-you"
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None and row.practice_example == text
    kinds = sorted({flag["kind"] for flag in row.pii_flags or []})
    assert kinds == ["date_of_birth", "name", "phone"]
    assert all(
        set(flag) == {"field", "start", "end", "kind"} for flag in row.pii_flags or []
    )


def test_editing_the_text_clears_the_warning(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    client.post(url, data=answers(obstacles="Call 07700 900123", form_token=token))
    fixed = client.post(
        url, data=answers(obstacles="Call the duty desk", form_token=token)
    )
    assert fixed.headers["Location"] == "/feedback/thank-you"
    assert count(session) == 1


def test_possible_safeguarding_disclosure_is_flagged(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    text = "His sister Amy has bruises again and nobody has visited."
    client.post(
        url,
        data=answers(
            practice_example=text,
            form_token=fresh_token(client, url),
            action="submit_anyway",
        ),
    )
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None and row.safeguarding_flag
    reasons = row.safeguarding_reasons or []
    assert "physical harm or chastisement" in reasons
    assert "about a specific child" in reasons
    assert not any("Amy" in reason for reason in reasons), "no words of the text"


def test_double_submit_stores_one_item_and_both_land_on_thanks(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    data = answers(mode="anonymous", form_token=fresh_token(client, url))
    first = client.post(url, data=data)
    first_code = re.search(
        r'id="receipt-code">([^<]+)<', client.get("/feedback/thank-you").text
    )
    second = client.post(url, data=data)
    second_code = re.search(
        r'id="receipt-code">([^<]+)<', client.get("/feedback/thank-you").text
    )
    assert (
        first.headers["Location"] == second.headers["Location"] == "/feedback/thank-you"
    )
    assert first_code and second_code and first_code.group(1) == second_code.group(1)
    assert count(session) == 1


def test_over_long_text_gets_a_message_and_comes_back_intact(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    long_text = ("A very long reflection on practice. " * 300)[:10_000]
    response = client.post(
        url, data=answers(obstacles=long_text, form_token=fresh_token(client, url))
    )
    assert response.status_code == 400
    assert "must be 4,000 characters or fewer" in response.text
    assert long_text in response.text
    assert count(session) == 0


def test_text_is_normalised_on_the_way_in(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    messy = "Control\x00chars\x0b and\x0c a cafe\u0301\r\nnew line"
    client.post(url, data=answers(obstacles=messy, form_token=fresh_token(client, url)))
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None and row.obstacles == "Controlchars and a caf\u00e9\nnew line"


def test_stored_xss_is_escaped_on_every_page_that_shows_it(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    for payload in XSS:
        client.post(
            url,
            data=answers(
                obstacles=payload,
                biggest_difference=payload,
                practice_example=payload + " 07700 900123",
                form_token=fresh_token(client, url),
                action="submit_anyway",
            ),
        )
        warned = client.post(
            url,
            data=answers(
                practice_example=payload + " 07700 900123",
                form_token=fresh_token(client, url),
            ),
        )
        assert "<script>alert(1)</script>" not in warned.text
        assert "<img src=x" not in warned.text
    mine = client.get("/feedback/mine").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mine
    assert "<script>alert(1)</script>" not in mine and "<img src=x" not in mine
    assert "{{7*7}}" in mine and ">49<" not in mine
    reload(session)
    for row in session.scalars(select(Submission)):
        edit_page = client.get(f"/feedback/mine/{row.id}/edit").text
        assert "<script>alert(1)</script>" not in edit_page
        assert "<img src=x" not in edit_page


def test_closed_or_draft_rounds_accept_nothing_and_say_so(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    open_round.status = "closed"
    session.commit()
    response = client.post(
        url, data=answers(obstacles="Words I typed", form_token=token)
    )
    assert response.status_code == 409
    assert "is closed, so it cannot accept input" in response.text
    assert "Words I typed" in response.text
    assert count(session) == 0
    open_round.status = "draft"
    session.commit()
    assert client.get(url).status_code == 404
    assert "Autumn staff engagement" not in client.get("/feedback").text


def test_round_outside_its_times_is_closed(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    user = make_user(session, Role.CONTRIBUTOR)
    with time_machine.travel(open_round.closes_at + timedelta(minutes=1)):
        sign_in_as(client, user)
        response = client.get(form_url(open_round))
    assert response.status_code == 409


def test_expired_csrf_while_signed_in_redraws_the_filled_form(
    make_app: Callable[..., Flask], session: Session, open_round: EngagementRound
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    make_user(session, Role.CONTRIBUTOR, email="c@council.example")
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/sign-in").text
    )
    assert token
    client.post(
        "/sign-in",
        data={
            "email": "c@council.example",
            "password": DEFAULT_PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    url = form_url(open_round)
    text = "Ten thousand characters of careful thought <b>kept</b>. " * 180
    response = client.post(
        url,
        data=answers(obstacles=text[:3900], form_token="t" * 43, csrf_token="stale"),
    )
    assert response.status_code == 400
    assert "Your form had expired, so nothing was saved" in response.text
    assert "careful thought &lt;b&gt;kept&lt;/b&gt;" in response.text
    assert 'name="csrf_token" type="hidden" value="' in response.text, "a fresh token"
    assert count(session) == 0


def test_expired_session_shows_the_text_read_only_with_sign_in(
    make_app: Callable[..., Flask], session: Session, open_round: EngagementRound
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    make_user(session, Role.CONTRIBUTOR, email="s@council.example")
    with time_machine.travel(time.time(), tick=False) as traveller:
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/sign-in").text,
        )
        assert token
        client.post(
            "/sign-in",
            data={
                "email": "s@council.example",
                "password": DEFAULT_PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        url = form_url(open_round)
        page = client.get(url).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert csrf
        traveller.shift(timedelta(minutes=75))
        response = client.post(
            url,
            data=answers(
                obstacles="My long careful answer",
                form_token="t" * 43,
                csrf_token=csrf.group(1),
            ),
        )
    assert response.status_code == 400
    assert "My long careful answer" in response.text
    assert "readonly" in response.text and "data-copy-target" in response.text
    assert "Sign in and return to your form" in response.text
    assert 'name="carried-obstacles" value="My long careful answer"' in response.text
    # The labels the writer saw, never field names or the codes of choices.
    assert "What gets in the way today" in response.text
    for code_name in ("(obstacles)", "(mode)", "(priority)", "form token"):
        assert code_name not in response.text
    assert count(session) == 0


def test_named_input_can_be_changed_while_pending_then_withdrawn(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    someone_else = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(client, writer)
    url = form_url(open_round)
    client.post(url, data=answers(form_token=fresh_token(client, url)))
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None
    edit_url = f"/feedback/mine/{row.id}/edit"
    assert "Too many handovers" in client.get(edit_url).text
    changed = client.post(edit_url, data=answers(obstacles="Fewer handovers, please."))
    assert changed.headers["Location"] == "/feedback/mine"
    other = client.application.test_client()
    sign_in_as(other, someone_else)
    assert other.get(edit_url).status_code == 404, "someone else's looks missing"
    assert other.post(f"/feedback/mine/{row.id}/withdraw").status_code == 404
    check = client.post(f"/feedback/mine/{row.id}/withdraw")
    assert "Are you sure you want to withdraw" in check.text
    client.post(f"/feedback/mine/{row.id}/withdraw", data={"confirmed": "yes"})
    reload(session)
    row = session.get(Submission, row.id)
    assert row is not None and row.status == "withdrawn"
    assert row.obstacles == "Fewer handovers, please." and row.updated_at is not None
    assert client.post(edit_url, data=answers()).status_code == 409
    actions = list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == row.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "submission_received",
        "submission_edited",
        "submission_withdrawn",
    ]


def test_drafts_are_saved_restored_and_deleted(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(client, writer)
    url = form_url(open_round)
    saved = client.post(
        url + "/draft", json={"mode": "named", "obstacles": "Half a thought"}
    )
    assert saved.get_json()["saved"] is True
    restored = client.get(url).text
    assert (
        "We restored the draft you were writing" in restored
        and "Half a thought" in restored
    )
    gone = client.post(url + "/draft", json={"mode": "anonymous"})
    assert gone.get_json()["saved"] is False
    reload(session)
    assert session.scalars(select(Draft)).all() == []
    client.post(url + "/draft", json={"mode": "named", "obstacles": "Another go"})
    client.post(url, data=answers(form_token=fresh_token(client, url)))
    reload(session)
    assert session.scalars(select(Draft)).all() == [], "deleted on submit"


def test_context_lists_only_offer_what_is_in_use(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    session.add(RoleGroup(name="Team manager"))
    session.commit()
    group = session.scalar(select(RoleGroup))
    assert group is not None
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    assert "Team manager" in client.get(url).text
    response = client.post(
        url, data=answers(role_group_id="999999", form_token=fresh_token(client, url))
    )
    assert response.status_code == 400
    assert count(session) == 0


def test_only_contributors_give_input(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    assert client.get(form_url(open_round)).status_code == 403
    assert client.get("/feedback/mine").status_code == 403


def test_keep_alive_resets_the_inactivity_clock(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    user: User = make_user(session, Role.CONTRIBUTOR)
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in_as(client, user)
        traveller.shift(timedelta(minutes=57))
        response = client.post(
            "/session/keep-alive", headers={"Accept": "application/json"}
        )
        # The warning's clock restarts from what the server says is left.
        body = response.get_json()
        assert body["ok"] is True and 3599 <= body["seconds_left"] <= 3600
        traveller.shift(timedelta(minutes=57))
        assert client.get("/feedback").status_code == 200


def test_highlights_line_up_when_the_text_had_surrounding_space(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    warned = client.post(
        url,
        data=answers(
            obstacles="   \n  Call 07700 900123 today",
            form_token=fresh_token(client, url),
        ),
    )
    assert '<mark class="app-flag">07700 900123<' in warned.text
