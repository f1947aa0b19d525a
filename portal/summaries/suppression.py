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


Key = tuple[object, ...]
HIDDEN = object()  # stands for a context value that is not shown


@dataclass(frozen=True)
class RowRule:
    """How much context each combination of values may show: ``levels[key]`` is
    how many of the generalisable fields (from the last) are hidden."""

    fixed: int
    levels: dict[Key, int]

    def shown(self, key: Key) -> Key:
        return _shown(key, self.fixed, self.levels.get(key, len(key) - self.fixed))


def _shown(key: Key, fixed: int, level: int) -> Key:
    keep = len(key) - level
    return key[:keep] + (HIDDEN,) * (len(key) - keep)


def suppress_combinations(counts: dict[Key, int], fixed: int, minimum: int) -> RowRule:
    """Small-group suppression judged on the combination of every context field a
    row shows together. Each key is ``fixed`` fields always shown (round, area),
    then the fields that may be hidden, least identifying first (team, then role:
    role is hidden first). A field judged alone can be large while the
    combination, "Team A + Team manager", is one person.

    The rule: every combination as it is shown (with hidden fields) must stand for
    at least ``minimum`` rows, else its rows hide one more field. Within each
    fixed group, if the rows with everything hidden are fewer than ``minimum``,
    the smallest shown combination is hidden too (complementary suppression), so
    hidden values cannot be worked out from the rest. Levels only rise, so this
    ends."""
    width = max((len(k) for k in counts), default=fixed)
    most = width - fixed
    levels = dict.fromkeys(counts, 0)
    while True:
        classes: dict[Key, int] = {}
        for key, n in counts.items():
            shown = _shown(key, fixed, levels[key])
            classes[shown] = classes.get(shown, 0) + n
        raised = False
        for key in counts:
            shown = _shown(key, fixed, levels[key])
            if 0 < classes[shown] < minimum and levels[key] < most:
                levels[key] += 1
                raised = True
        if not raised:
            raised = _complement(counts, levels, classes, fixed, most, minimum)
        if not raised:
            return RowRule(fixed, levels)


def _complement(
    counts: dict[Key, int],
    levels: dict[Key, int],
    classes: dict[Key, int],
    fixed: int,
    most: int,
    minimum: int,
) -> bool:
    """Raise the smallest partly shown class of a group whose fully hidden rows
    are too few to stand on their own."""
    groups: dict[Key, list[Key]] = {}
    for key in counts:
        groups.setdefault(key[:fixed], []).append(key)
    for group, keys in groups.items():
        hidden_rows = classes.get(group + (HIDDEN,) * most, 0)
        if not 0 < hidden_rows < minimum:
            continue
        candidates = sorted(
            (classes[_shown(k, fixed, levels[k])], repr(k), k)
            for k in keys
            if levels[k] < most
        )
        if candidates:
            smallest = _shown(candidates[0][2], fixed, levels[candidates[0][2]])
            for k in keys:
                if levels[k] < most and _shown(k, fixed, levels[k]) == smallest:
                    levels[k] += 1
            return True
    return False
