"""The board's stage in Chromium: a lead officer records a quarterly update and
evidence by keyboard, a board member signs off Phase 1 by keyboard, a planner
freezes the quarter; axe finds nothing on any board page, and the chart has a
text alternative and a table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import charts
from portal.demo import load_bundled_framework, seed_demo
from portal.models import (
    ActionUpdate,
    BoardEvidence,
    PlanAction,
    Recommendation,
    ReportRequest,
    Risk,
    Role,
    SignOff,
)
from tests.board.conftest import add_action
from tests.browser.conftest import (
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import FAST_HASH, reload
from tests.factories import DEFAULT_PASSWORD, make_user


def _sign_out(page: Any) -> None:
    page.locator("button", has_text="Sign out").first.click()
    page.wait_for_load_state()


def test_update_evidence_and_phase_one_by_keyboard(
    page: Any, session: Session, tmp_path: Path
) -> None:
    load_bundled_framework(session)
    planner = make_user(session, Role.PLANNER)
    lead = make_user(session, Role.LEAD_OFFICER)
    member = make_user(session, Role.BOARD_MEMBER)
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    start = planner.created_at.date()
    action = add_action(
        session,
        planner,
        rec,
        start=start - timedelta(days=90),
        target=start + timedelta(days=90),
        text="Audit supervision records every month.",
    )

    sign_in_by_keyboard(page, lead.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + f"/board/recommendations/{rec.id}")
    check_axe(page, "recommendation page, no update yet")
    page.goto(page.base_url + f"/board/actions/{action.id}/update")
    check_axe(page, "quarterly update form")
    tab_to(page, "status-2", limit=60)  # In progress, as recorded on the plan
    page.keyboard.press("ArrowDown")  # Complete
    expect(page.locator("#status-3")).to_be_checked()
    tab_to(page, "percent_complete")
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    tab_to(page, "reason")
    page.keyboard.type("The monthly audit is running in every team.")
    tab_to(page, "commentary")
    page.keyboard.type("All four teams now audit supervision monthly.")
    page.locator("button", has_text="Record the update").focus()
    press_and_wait(page)
    assert "Quarterly update recorded." in page.content()
    check_axe(page, "recommendation page with an update")

    page.goto(page.base_url + f"/board/recommendations/{rec.id}/evidence/new")
    check_axe(page, "add evidence form")
    tab_to(page, "kind", limit=60)
    page.keyboard.press("Space")  # Activity
    tab_to(page, "title")
    page.keyboard.type("Supervision audit results, all teams")
    tab_to(page, "effective_on-day")
    day = start
    page.keyboard.type(str(day.day))
    tab_to(page, "effective_on-month")
    page.keyboard.type(str(day.month))
    tab_to(page, "effective_on-year")
    page.keyboard.type(str(day.year))
    chart = tmp_path / "audit.png"
    chart.write_bytes(charts.bar_chart([("April", 41), ("May", 44)]))
    page.set_input_files("#file", str(chart))
    page.locator("button", has_text="Add the evidence").focus()
    press_and_wait(page)
    assert "Evidence added." in page.content()
    _sign_out(page)

    sign_in_by_keyboard(page, member.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + f"/board/recommendations/{rec.id}")
    check_axe(page, "recommendation page for the board")
    page.locator("a", has_text="Sign off Phase 1").focus()
    press_and_wait(page)
    check_axe(page, "Phase 1 sign-off form")
    tab_to(page, "evidence_ids", limit=60)
    page.keyboard.press("Space")
    tab_to(page, "reason")
    page.keyboard.type("Every action is complete and the audit shows it running.")
    page.locator("button", has_text="Sign off Phase 1").focus()
    press_and_wait(page)
    assert "signed off for LSCB-R2" in page.content()
    check_axe(page, "recommendation page after sign-off")
    reload(session)
    assert session.scalar(select(ActionUpdate.status)) == "complete"
    assert session.scalar(select(BoardEvidence.content_type)) == "image/png"
    given = session.scalar(select(SignOff))
    assert given is not None and given.phase == 1 and given.given_by_id == member.id
    for path in ("/board", "/board/risks", "/board/requests", "/board/quarters"):
        page.goto(page.base_url + path)
        check_axe(page, path)
    page.goto(page.base_url + f"/board/recommendations/{rec.id}/requests")
    check_axe(page, "request a report")
    _sign_out(page)

    sign_in_by_keyboard(page, planner.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/board/risks/new")
    check_axe(page, "add a risk")
    page.goto(page.base_url + "/board/quarters")
    page.locator("input[name=quarter]").last.focus()
    page.keyboard.press("Space")
    page.locator("button", has_text="Freeze the quarter").focus()
    press_and_wait(page)
    check_axe(page, "frozen quarter: the print-ready board pack")
    figure = page.locator("figure.app-chart svg")
    expect(figure).to_have_attribute("role", "img")
    assert figure.locator("title").text_content()
    assert "Phase 1" in (figure.locator("desc").text_content() or "")
    table = page.locator("table", has_text="Progress over quarters (frozen figures)")
    expect(table).to_contain_text("Phase 2 signed off")
    screenshot(page, "board-pack")
    page.emulate_media(media="print")
    expect(page.locator(".app-no-print").first).to_be_hidden()
    expect(page.locator(".govuk-header")).to_be_hidden()
    page.emulate_media(media="screen")
    with page.expect_download() as pack:
        page.locator("a", has_text="Download the board pack").click()
    assert pack.value.suggested_filename.endswith(".docx")


def test_the_other_board_pages_pass_axe(page: Any, session: Session) -> None:
    """The risk, closing and answering pages, withdrawing a sign-off, and a form
    showing its errors (as someone holding every board role)."""
    seed_demo(session, FAST_HASH)
    everyone = make_user(session, Role.PLANNER, Role.LEAD_OFFICER, Role.BOARD_MEMBER)
    risk = session.scalar(select(Risk))
    action = session.scalar(select(PlanAction))
    assert risk is not None and action is not None
    given = SignOff(recommendation_id=action.recommendation_id, phase=1,
                    given_by_id=everyone.id, reason="Agreed.")  # fmt: skip
    asked = ReportRequest(risk_id=risk.id, question="What is the recruitment plan?",
                          due_on=risk.review_on, asked_by_id=everyone.id)  # fmt: skip
    session.add_all([given, asked])
    session.commit()
    sign_in_by_keyboard(page, everyone.email, DEFAULT_PASSWORD)
    for path, label in [
        (f"/board/risks/{risk.id}", "a risk"),
        (f"/board/risks/{risk.id}/edit", "reviewing a risk"),
        (f"/board/risks/{risk.id}/close", "closing a risk"),
        (f"/board/requests/{asked.id}/answer", "answering a request"),
        (f"/board/sign-offs/{given.id}/withdraw", "withdrawing a sign-off"),
    ]:
        page.goto(page.base_url + path)
        check_axe(page, label)
    page.goto(page.base_url + f"/board/actions/{action.id}/update")
    tab_to(page, "percent_complete", limit=60)
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    page.locator("button", has_text="Record the update").focus()
    press_and_wait(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("commentary")
    check_axe(page, "the update form with its errors")
