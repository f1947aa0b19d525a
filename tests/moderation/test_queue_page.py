"""What each row of the moderation queue shows, and the filters beside it (the
page reads plain columns, not ORM objects: moderation/queue.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal import db
from portal.models import Area, EngagementRound, Role, Submission
from tests.conftest import (
    prepared_statements,
    reload,
    round_trips_counted,
    sign_in_as,
)
from tests.factories import make_submission, make_team, make_user


def _row_of(page: str, item: Submission) -> str:
    rows = page.split('<tr class="govuk-table__row">')
    found = [row for row in rows if f"/moderation/items/{item.id}" in row]
    assert len(found) == 1, "one row per item"
    return found[0]


def test_each_row_shows_the_day_the_area_the_first_answer_and_the_flags(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    flagged = make_submission(
        session, writer, open_round,
        text="Ring the duty desk on 07700 900123 & ask for the rota.",
    )  # fmt: skip
    second_only = make_submission(session, writer, open_round, area_index=1)
    second_only.obstacles = ""
    second_only.biggest_difference = "Fewer handovers between <teams>."
    long_one = make_submission(session, writer, open_round, text="word " * 60)
    session.commit()
    reload(session)
    moderator = make_user(session, Role.MODERATOR)
    sign_in_as(client, moderator)

    page = client.get("/moderation").text

    first_area, second_area = open_round.areas[0], open_round.areas[1]
    row = _row_of(page, flagged)
    assert flagged.has_personal_data
    assert "Personal data" in row
    assert "Ring the duty desk on 07700 900123 &amp; ask for the rota." in row
    assert f"{first_area.title} " in row and f"({first_area.code})" in row
    assert re.search(r">\d{1,2} [A-Z][a-z]+ \d{4}<", row), "the day, not the time"
    assert ">Named" in row

    row = _row_of(page, second_only)
    assert "Fewer handovers between &lt;teams&gt;." in row, "the first answer given"
    assert "Personal data" not in row
    assert f"({second_area.code})" in row

    row = _row_of(page, long_one)
    opening = re.search(r'class="govuk-link" href="[^"]+">([^<]*)<', row)
    assert opening is not None
    assert len(opening.group(1)) <= 140 and opening.group(1).endswith("...")


def test_the_area_filter_offers_each_rounds_areas_in_order(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    moderator = make_user(session, Role.MODERATOR)
    sign_in_as(client, moderator)

    page = client.get(f"/moderation?area={open_round.areas[1].id}").text

    area_select = page.split('id="filter-area"')[1].split("</select>")[0]
    offered = re.findall(
        r'<option value="(\d+)" ?(selected)?>([^<]+)</option>', area_select
    )
    assert [int(i) for i, _, _ in offered] == [a.id for a in open_round.areas]
    for (_, _, text), area in zip(offered, open_round.areas, strict=True):
        code, _, title = text.partition(": ")
        assert code == area.code
        assert title == area.title or area.title.startswith(title.rstrip("."))
    assert [bool(chosen) for _, chosen, _ in offered] == [False, True]
    round_select = page.split('id="filter-round"')[1].split("</select>")[0]
    assert (
        f'<option value="{open_round.id}" >{open_round.title}</option>' in round_select
    )


def test_the_filters_list_every_round_newest_first_and_each_area_once(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    areas = list(session.scalars(select(Area).order_by(Area.position)))
    # The framework's order, not the order areas were added in: swap two.
    third, fifth = areas[2].position, areas[4].position
    areas[2].position = -1
    session.flush()
    areas[4].position, areas[2].position = third, -2
    session.flush()
    areas[2].position = fifth
    later = EngagementRound(
        title="Spring staff engagement", purpose="", status="draft",
        opens_at=open_round.opens_at + timedelta(days=90),
        closes_at=open_round.closes_at + timedelta(days=90),
        areas=[areas[2], areas[4], areas[1]],  # areas[1] is the open round's too
    )  # fmt: skip
    empty = EngagementRound(
        title="Round with no areas yet", purpose="", status="draft",
        opens_at=open_round.opens_at + timedelta(days=30),
        closes_at=open_round.closes_at + timedelta(days=30),
    )  # fmt: skip
    session.add_all([later, empty])
    session.commit()
    moderator = make_user(session, Role.MODERATOR)
    sign_in_as(client, moderator)

    page = client.get("/moderation").text

    round_select = page.split('id="filter-round"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', round_select) == [
        str(later.id), str(empty.id), str(open_round.id)
    ], "newest first, a round with no areas too"  # fmt: skip
    area_select = page.split('id="filter-area"')[1].split("</select>")[0]
    offered = [int(i) for i in re.findall(r'<option value="(\d+)"', area_select)]
    assert offered == [areas[0].id, areas[1].id, areas[4].id, areas[2].id], (
        "every area some round asks about, once, in the framework's order"
    )


def test_a_queue_page_reads_the_database_a_handful_of_times(
    app: Flask, client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """However many items wait: the person and their roles, the page's rows, the
    maintained counts less the moderator's own input, the filters, the held
    count. Counted, not timed: on PostgreSQL each statement is a round trip."""
    team = make_team(session, "Counted team")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    moderator = make_user(session, Role.MODERATOR, Role.CONTRIBUTOR, team=team)
    for n in range(30):
        make_submission(session, writer if n % 3 else moderator, open_round, team=team)
    sign_in_as(client, moderator)
    client.get("/moderation")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/moderation").text
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert "20 items" in page, "the moderator's own ten are not theirs to decide"
    assert len(statements) <= 5, "\n\n".join(statements)


def test_postgresql_plans_the_queue_once_not_for_every_request(
    app: Flask, client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """Planning was most of the page's and the counts' cost on PostgreSQL, which
    kept planning them afresh for each request's values (custom plans); the
    queue asks for the plan made once (a generic plan). The counts, less the
    moderator's own input (written and recorded), stay right with it."""
    engine = db.get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("plans of prepared statements are PostgreSQL's")
    team = make_team(session, "Planned team")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    moderator = make_user(session, Role.MODERATOR, Role.CONTRIBUTOR, team=team)
    for n in range(12):
        make_submission(session, writer if n % 3 else moderator, open_round, team=team)
    recorded = session.scalars(
        select(Submission).where(Submission.author_id == writer.id).limit(2)
    ).all()
    for item in recorded:
        item.recorded_by_id = moderator.id
    session.commit()
    sign_in_as(client, moderator)
    plans = _plans_of_queue(app, client, "/moderation", "6 items")
    assert all(p.generic_plans > 0 and p.custom_plans == 0 for p in plans), plans
    # With an area filter the best index depends on the area: left to
    # PostgreSQL, which plans per value at first (custom plans) and may settle
    # on a generic plan later if it judges it no worse.
    area = f"/moderation?area={open_round.areas[0].id}"
    plans = _plans_of_queue(app, client, area, "6 items")
    assert all(p.custom_plans > 0 for p in plans), plans


def _plans_of_queue(app: Flask, client: FlaskClient, url: str, shows: str) -> list[Any]:
    """How PostgreSQL planned the queue page's two statements (the page, the
    counts) over twenty requests for ``url`` (psycopg prepares a statement on
    its fifth use on a connection)."""
    engine = db.get_engine(app)
    # Requests one after another then share one fresh connection (the suite's
    # pool may hold several from earlier tests, handed out in turn).
    engine.dispose()
    seen: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "queue_counts" in statement or "LIMIT" in statement:  # counts, page
            seen.append(statement.split("%(", 1)[0])  # up to the first value

    event.listen(engine, "before_cursor_execute", keep)
    try:
        for _ in range(20):
            page = client.get(url).text
            assert shows in page, "not the 4 they wrote, not the 2 they recorded"
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    queue_statements = set(seen)
    assert len(queue_statements) == 2, queue_statements
    plans = [
        row
        for row in prepared_statements(engine)
        if row.statement.split("$", 1)[0] in queue_statements
    ]
    assert {p.statement.split("$", 1)[0] for p in plans} == queue_statements
    return plans


def test_postgresql_answers_the_queue_page_in_one_round_trip(
    app: Flask, client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """The page's rows, its counts and its filters (and the request for plans
    made once) go to PostgreSQL together and come back together: each separate
    statement cost a round trip and SQLAlchemy's own work on it, more than the
    database took to answer. The rest of the request: BEGIN, the person and
    their roles, COMMIT."""
    engine = db.get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's; SQLite answers in process")
    team = make_team(session, "Round-trip team")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    moderator = make_user(session, Role.MODERATOR, team=team)
    for _ in range(3):
        make_submission(session, writer, open_round, team=team)
    session.commit()
    sign_in_as(client, moderator)
    for url in ("/moderation", f"/moderation?area={open_round.areas[0].id}"):
        client.get(url)
        with round_trips_counted(engine) as counts:
            page = client.get(url).text
        assert "3 items" in page
        assert counts == [4], f"{url}: {counts} round trips"


def test_the_filter_lists_follow_each_choice_and_each_change(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """The lists of rounds and areas are rendered once for each distinct set of
    rounds, areas and choice (portal/formkit.py, ``rendered_once``): each page
    still marks its own choice, and a renamed round shows its new name."""
    sign_in_as(client, make_user(session, Role.MODERATOR))
    first, second = open_round.areas[0].id, open_round.areas[1].id

    def chosen_area(url: str) -> list[str]:
        page = client.get(url).text
        area_select = page.split('id="filter-area"')[1].split("</select>")[0]
        return re.findall(r'<option value="(\d+)" selected>', area_select)

    assert chosen_area(f"/moderation?area={first}") == [str(first)]
    assert chosen_area(f"/moderation?area={second}") == [str(second)]
    assert chosen_area(f"/moderation?area={first}") == [str(first)]
    assert chosen_area("/moderation") == []

    open_round.title = "Autumn staff engagement (renamed)"
    session.commit()
    page = client.get("/moderation").text
    assert "Autumn staff engagement (renamed)</option>" in page
