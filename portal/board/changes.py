"""Reading a board state: the overview counts, the exceptions the board sees
first, what changed since the previous quarter, and progress over quarters. Plain
functions of the state data, so the live page, the frozen page and the Word pack
say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.board.quarters import Quarter
from portal.board.signoff import NOT_SIGNED_OFF, PHASES
from portal.models import Rag

State = dict[str, Any]
NO_UPDATE = "No update yet"


def rag_label(value: str | None) -> str:
    return Rag(value).label if value else NO_UPDATE


def phase_label(phase: int) -> str:
    return PHASES.get(phase, NOT_SIGNED_OFF)


def actions_of(state: State) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(rec, a) for rec in state["recommendations"] for a in rec["actions"]]


def standing_sign_offs(
    state: State,
) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    return {
        s["id"]: (rec, s)
        for rec in state["recommendations"]
        for s in rec["sign_offs"]
        if not s["withdrawn_on"]
    }


@dataclass
class Overview:
    by_rag: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    actions: int
    overdue: int
    risks_to_board: int
    open_requests: int


def overview(state: State) -> Overview:
    actions = [a for _, a in actions_of(state)]
    by_rag = [(Rag(r).label, sum(1 for a in actions if a["rag"] == r)) for r in Rag]
    by_rag.append((NO_UPDATE, sum(1 for a in actions if not a["rag"])))
    phases = [rec["phase"] for rec in state["recommendations"]]
    by_phase = [(phase_label(p), phases.count(p)) for p in (0, 1, 2)]
    return Overview(
        by_rag=by_rag,
        by_phase=by_phase,
        actions=len(actions),
        overdue=sum(1 for a in actions if a["overdue"]),
        risks_to_board=sum(1 for r in state["risks"] if r["to_board"]),
        open_requests=sum(1 for r in state["requests"] if not r["answered_on"]),
    )


@dataclass
class Changes:
    """What changed since the previous frozen quarter (everything is new when
    there is none)."""

    previous_quarter: str | None
    rag_moves: list[dict[str, Any]] = field(default_factory=list)
    new_risks: list[dict[str, Any]] = field(default_factory=list)
    closed_risks: list[dict[str, Any]] = field(default_factory=list)
    given: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (
            self.rag_moves
            or self.new_risks
            or self.closed_risks
            or self.given
            or self.withdrawn
        )


def compare(previous: State | None, current: State) -> Changes:
    before = previous or {"recommendations": [], "risks": [], "quarter": None}
    changes = Changes(previous_quarter=before.get("quarter"))
    earlier = {a["id"]: a for _, a in actions_of(before)}
    for rec, action in actions_of(current):
        was = earlier.get(action["id"])
        was_rag = was["rag"] if was else None
        if action["rag"] != was_rag:
            changes.rag_moves.append(
                {"code": rec["code"], "action": action, "from": rag_label(was_rag),
                 "to": rag_label(action["rag"]), "new": was is None}
            )  # fmt: skip
    earlier_risks = {r["id"]: r for r in before["risks"]}
    now_risks = {r["id"]: r for r in current["risks"]}
    changes.new_risks = [r for i, r in now_risks.items() if i not in earlier_risks]
    changes.closed_risks = [r for i, r in earlier_risks.items() if i not in now_risks]
    was_standing, now_standing = standing_sign_offs(before), standing_sign_offs(current)
    changes.given = [
        {"code": rec["code"], **s}
        for i, (rec, s) in now_standing.items()
        if i not in was_standing
    ]
    # As they stand now, with when and why they were withdrawn.
    withdrawn_now = {
        s["id"]: s
        for rec in current["recommendations"]
        for s in rec["sign_offs"]
        if s["withdrawn_on"]
    }
    changes.withdrawn = [
        {"code": rec["code"], **withdrawn_now.get(i, s)}
        for i, (rec, s) in was_standing.items()
        if i not in now_standing
    ]
    return changes


@dataclass
class Exceptions:
    red: list[tuple[dict[str, Any], dict[str, Any]]]
    amber: list[tuple[dict[str, Any], dict[str, Any]]]
    overdue: list[tuple[dict[str, Any], dict[str, Any]]]
    new_risks: list[dict[str, Any]]
    review_overdue: list[dict[str, Any]]

    @property
    def nothing(self) -> bool:
        return not (self.red or self.amber or self.overdue or self.new_risks)


def exceptions(state: State, changes: Changes) -> Exceptions:
    actions = actions_of(state)
    return Exceptions(
        red=[(r, a) for r, a in actions if a["rag"] == Rag.RED],
        amber=[(r, a) for r, a in actions if a["rag"] == Rag.AMBER],
        overdue=[(r, a) for r, a in actions if a["overdue"]],
        new_risks=changes.new_risks,
        review_overdue=[r for r in state["risks"] if r["review_overdue"]],
    )


TREND_COLUMNS = (
    "Quarter",
    "Green",
    "Amber",
    "Red",
    "Actions complete",
    "Phase 1 signed off",
    "Phase 2 signed off",
)


def trend(states: list[State]) -> list[list[Any]]:
    """Progress over quarters, one row per frozen quarter (TREND_COLUMNS)."""
    rows = []
    for state in states:
        actions = [a for _, a in actions_of(state)]
        phases = [rec["phase"] for rec in state["recommendations"]]
        rows.append(
            [
                Quarter.parse(state["quarter"]).short,
                *(sum(1 for a in actions if a["rag"] == r) for r in Rag),
                sum(1 for a in actions if a["status"] == "complete"),
                sum(1 for p in phases if p >= 1),
                phases.count(2),
            ]
        )
    return rows


def trend_bars(rows: list[list[Any]]) -> list[tuple[str, int]]:
    """The chart's bars: recommendations signed off at each phase, per quarter."""
    bars: list[tuple[str, int]] = []
    for row in rows:
        bars.append((f"{row[0]} Phase 1", row[5]))
        bars.append((f"{row[0]} Phase 2", row[6]))
    return bars
