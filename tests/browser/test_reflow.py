"""Reflow (WCAG 2.2 1.4.10): at 320 CSS pixels no page scrolls sideways; wide tables
scroll inside a focusable region of their own instead."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import seed_demo
from portal.models import EngagementRound, PlanAction, Risk, Role, Submission
from tests.browser.conftest import sign_in_by_keyboard
from tests.conftest import FAST_HASH
from tests.factories import DEFAULT_PASSWORD, make_submission, make_team, make_user

PAGES = ["/", "/feedback", "/feedback/mine", "/feedback/receipt", "/moderation",
         "/safeguarding", "/tagging", "/tagging/coverage", "/tagging/themes",
         "/summaries", "/summaries/pack", "/summaries/export", "/plan",
         "/admin/users", "/admin/teams", "/admin/role-groups", "/admin/audit",
         "/admin/glossary", "/board", "/board/risks", "/board/requests",
         "/board/quarters", "/board/risks/new", "/you-said", "/account/digest",
         "/account/my-data", "/admin/erasure-requests", "/admin/notices",
         "/framework", "/rounds", "/privacy", "/accessibility"]  # fmt: skip


# The outermost element that sticks out, to say where the overflow comes from.
_WIDEST = """() => {
  const out = []
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect()
    const inner = el.parentElement && el.parentElement.closest('.app-table-scroll')
    if (box.right > 321 && !inner) {
      const name = el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
      out.push(name + ':' + Math.round(box.right))
    }
  }
  return out.slice(0, 6).join(' ')
}"""


def _board_pages(page: Any, session: Session) -> list[str]:
    """The board's pages with ids from the demo, and a quarter frozen here."""
    action = session.scalar(select(PlanAction))
    risk = session.scalar(select(Risk))
    assert action is not None and risk is not None
    page.goto(page.base_url + "/board/quarters")
    page.locator("input[name=quarter]").last.check()
    page.locator("button", has_text="Freeze the quarter").click()
    page.wait_for_url("**/board/quarters/*")
    frozen = page.url.rsplit("/", 1)[1]
    page.goto(page.base_url + "/you-said/publish")
    page.locator("button", has_text="Publish to all staff").click()
    page.wait_for_url("**/you-said/*")
    published = page.url.rsplit("/", 1)[1]
    rec = action.recommendation_id
    return [f"/board/recommendations/{rec}", f"/board/actions/{action.id}/update",
            f"/board/recommendations/{rec}/evidence/new",
            f"/board/recommendations/{rec}/sign-off/1", f"/board/risks/{risk.id}",
            f"/board/risks/{risk.id}/edit", f"/board/quarters/{frozen}",
            "/you-said/publish", f"/you-said/{published}",
            f"/you-said/actions/{action.id}"]  # fmt: skip


def test_no_page_scrolls_sideways_at_320_pixels(page: Any, session: Session) -> None:
    seed_demo(session, FAST_HASH)
    session.commit()
    everyone = make_user(session, *Role, team=make_team(session, "Reflow team"),
                         name="Rhiannon Reflow-Longname")  # fmt: skip
    everyone.independent_moderator = True  # sees every team's input
    engagement = session.scalar(select(EngagementRound))
    assert engagement is not None
    approved = []
    for n in range(3):
        text = f"A long-ish answer about drift in plans {n}."
        approved.append(make_submission(session, everyone, engagement, text=text))
        approved[-1].status = "approved"
    session.commit()
    waiting = session.scalar(
        select(Submission).where(
            Submission.status == "pending", Submission.author_id != everyone.id
        )
    )
    assert waiting is not None
    sign_in_by_keyboard(page, everyone.email, DEFAULT_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    wide = []
    items = [f"/moderation/items/{waiting.id}", f"/tagging/items/{approved[0].id}",
             *_board_pages(page, session)]  # fmt: skip
    for path in [*PAGES, *items]:
        response = page.goto(page.base_url + path)
        assert response is not None and response.status < 400, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            culprit = page.evaluate(_WIDEST)
            wide.append(f"{path}: {width}px ({culprit})")
    assert wide == [], "\n".join(wide)
