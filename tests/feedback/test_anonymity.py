"""Anonymous input is structurally anonymous: nothing links it back to its writer."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.orm import Session

from portal.models import (
    AnonymousInbox,
    AuditEvent,
    Base,
    Draft,
    EngagementRound,
    ReceiptHandoff,
    Role,
    Submission,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_user, release_held
from tests.feedback.conftest import answers, form_url, fresh_token

SECRET_TEXT = "Nobody listens to the duty team about thresholds (anon-marker-81)."


def test_anonymous_input_has_no_author_no_exact_time_and_a_random_id(
    client: FlaskClient,
    session: Session,
    open_round: EngagementRound,
    caplog: pytest.LogCaptureFixture,
) -> None:
    writer = make_user(
        session, Role.CONTRIBUTOR, name="Wren Writer", email="wren@council.example"
    )
    sign_in_as(client, writer)
    url = form_url(open_round)
    client.post(url + "/draft", json={"mode": "named", "obstacles": "a draft"})
    token = fresh_token(client, url)
    caplog.set_level(logging.DEBUG)
    response = client.post(
        url, data=answers(mode="anonymous", obstacles=SECRET_TEXT, form_token=token)
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/feedback/thank-you"
    release_held(session)
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None
    assert row.kind == "anonymous"
    assert row.author_id is None and row.recorded_by_id is None
    assert row.submitted_at is None and row.updated_at is None
    assert row.submitted_on is not None  # the day only
    assert uuid.UUID(row.id).version == 4
    assert row.receipt_hash and len(row.receipt_hash) == 64
    assert row.id not in response.headers["Location"]
    # Nothing else refers to it or to the writer's part in it.
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.subject_id == row.id))
        is None
    )
    assert session.scalars(select(Draft)).all() == [], "the draft went with it"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert row.id not in logged and "anon-marker-81" not in logged
    # The only row anywhere that mentions the item is the item itself, and it
    # holds nothing of the writer's.
    mentions = []
    with session.get_bind().connect() as connection:
        for table in Base.metadata.sorted_tables:
            for record in connection.execute(table.select()).mappings():
                if row.id in {str(v) for v in record.values()}:
                    mentions.append((table.name, dict(record)))
    assert [name for name, _ in mentions] == ["submissions"]
    stored = " ".join(str(v) for v in mentions[0][1].values())
    assert writer.email not in stored and writer.display_name not in stored
    thanks = client.get("/feedback/thank-you")
    code = re.search(r'id="receipt-code">([^<]+)<', thanks.text)
    assert code is not None, "the receipt is shown once"
    again = client.get("/feedback/thank-you")
    assert code.group(1) not in again.text, "and only once"


def test_anonymous_row_columns_identify_nobody(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(client, writer)
    url = form_url(open_round)
    client.post(
        url, data=answers(mode="anonymous", form_token=fresh_token(client, url))
    )
    release_held(session)
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None
    for table in (Submission, AnonymousInbox, ReceiptHandoff):
        assert columns_outside_the_policy(table.__table__) == [], table
    identifying = {"author_id": None, "recorded_by_id": None, "submitted_at": None}
    for name, expected in identifying.items():
        assert getattr(row, name) == expected


def test_sqlite_table_has_no_rowid_to_reveal_arrival_order(
    session: Session, open_round: EngagementRound
) -> None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        pytest.skip("SQLite storage detail")
    with bind.connect() as connection:
        with pytest.raises(Exception, match="rowid"):
            connection.execute(text("SELECT rowid FROM submissions"))


def test_my_input_never_lists_anonymous_input(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    client.post(
        url,
        data=answers(
            mode="anonymous", obstacles="ANON-ONLY", form_token=fresh_token(client, url)
        ),
    )
    page = client.get("/feedback/mine").text
    assert "ANON-ONLY" not in page
    assert "You have not given any named input yet" in page


def test_receipt_shows_status_and_withdraws(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    client.post(
        url, data=answers(mode="anonymous", form_token=fresh_token(client, url))
    )
    code = re.search(
        r'id="receipt-code">([^<]+)<', client.get("/feedback/thank-you").text
    )
    assert code is not None
    wrong = client.post("/feedback/receipt", data={"code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert wrong.status_code == 404 and "No input matches" in wrong.text
    found = client.post("/feedback/receipt", data={"code": code.group(1).lower()})
    assert "Received: being reviewed" in found.text
    check = client.post("/feedback/receipt/withdraw", data={"code": code.group(1)})
    assert "Are you sure you want to withdraw your anonymous input?" in check.text
    assert code.group(1) in check.text, "the code travels in the form, not the URL"
    withdrawn = client.post(
        "/feedback/receipt/withdraw", data={"code": code.group(1), "confirmed": "yes"}
    )
    assert "Your input has been withdrawn" in withdrawn.text
    # Withdrawn while still held in the inbox: it is released as withdrawn.
    release_held(session)
    reload(session)
    row = session.scalar(select(Submission))
    assert row is not None and row.status == "withdrawn" and row.withdrawn_on
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.subject_id == row.id))
        is None
    )
    again = client.post(
        "/feedback/receipt/withdraw", data={"code": code.group(1), "confirmed": "yes"}
    )
    assert again.status_code == 409


# A column that could name or time a person: a link to users, a time, or
# something that sounds like a network or session identity.
_IDENTITY_NAME = re.compile(r"(^|_)(ip|addr|address|agent|session|device|cookie)(_|$)")
# Columns that name the moderator or lead who acted (their accountability), never
# the writer.
_ACTORS = {"decided_by_id", "safeguarding_actioned_by_id"}
# Names that only look risky: the kind of staff engagement session.
_EXPLAINED = {"session_type"}


def columns_outside_the_policy(table: Table) -> list[str]:
    """Every column of a table holding anonymous input that could identify or time
    its writer and that the lifecycle's anonymity policy does not empty or cut to
    the day. A new column of that kind fails until the policy covers it."""
    from portal.submissions.lifecycle import ANONYMOUS_DAY_ONLY, ANONYMOUS_EMPTY

    covered = set(ANONYMOUS_EMPTY) | set(ANONYMOUS_DAY_ONLY) | _ACTORS | _EXPLAINED
    found = []
    for column in table.columns:
        links_user = any(fk.column.table.name == "users" for fk in column.foreign_keys)
        timed = isinstance(column.type, DateTime)
        if (links_user or timed or _IDENTITY_NAME.search(column.name)) and (
            column.name not in covered
        ):
            found.append(column.name)
    return found


def test_the_column_policy_check_finds_what_it_is_for() -> None:
    """Negative control: the check above reports each kind of column it guards."""
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    risky = Table(
        "risky",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("ip_address", String(45)),
        Column("user_agent", String(200)),
        Column("opened_at", DateTime),
        Column("helper_id", ForeignKey("users.id")),
        Column("obstacles", String(10)),
    )
    assert columns_outside_the_policy(risky) == [
        "ip_address", "user_agent", "opened_at", "helper_id",
    ]  # fmt: skip
