"""Small-group suppression for breakdowns by team or role.

A cell below the minimum group size is shown as "fewer than N" (primary
suppression). If that leaves exactly one hidden cell, the next-smallest cell is
hidden too (complementary suppression), so no hidden cell can be worked out from
the total and the cells shown. If the total itself is below the minimum, nothing
is broken down at all. The same rule applies on screen and in every export.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    label: str
    count: int
    hidden: bool

    def shown(self, minimum: int) -> str:
        return f"fewer than {minimum}" if self.hidden else str(self.count)


@dataclass(frozen=True)
class Breakdown:
    cells: list[Cell]
    total: int
    minimum: int

    @property
    def suppressed(self) -> bool:
        """Too few in all to break down."""
        return self.total < self.minimum


def suppress(counts: dict[str, int], minimum: int) -> Breakdown:
    total = sum(counts.values())
    if total < minimum:
        return Breakdown(
            [Cell(k, v, True) for k, v in sorted(counts.items())], total, minimum
        )
    hidden = {label for label, n in counts.items() if 0 < n < minimum}
    if len(hidden) == 1:
        others = sorted(
            (n, label) for label, n in counts.items() if label not in hidden and n > 0
        )
        if others:
            hidden.add(others[0][1])
    cells = [Cell(label, n, label in hidden) for label, n in sorted(counts.items())]
    return Breakdown(cells, total, minimum)


def recoverable(breakdown: Breakdown) -> bool:
    """True if any hidden cell could be worked out from the total and the rest
    (used by tests to prove the rule)."""
    hidden = [c for c in breakdown.cells if c.hidden]
    return not breakdown.suppressed and len(hidden) == 1
