"""Small-group suppression, including complementary suppression."""

from __future__ import annotations

import itertools

import pytest

from portal.summaries.suppression import recoverable, suppress


def test_small_cell_is_hidden_with_a_partner() -> None:
    result = suppress({"Team A": 9, "Team B": 30, "Team C": 12}, 10)
    shown = {c.label: c.shown(10) for c in result.cells}
    assert shown == {
        "Team A": "fewer than 10",
        "Team B": "30",
        "Team C": "fewer than 10",
    }
    assert not recoverable(result)


def test_nothing_to_hide() -> None:
    result = suppress({"Team A": 10, "Team B": 0, "Team C": 12}, 10)
    assert [c.hidden for c in result.cells] == [False, False, False]


def test_too_few_in_all_means_no_breakdown() -> None:
    result = suppress({"Team A": 3, "Team B": 4}, 10)
    assert result.suppressed and all(c.hidden for c in result.cells)


@pytest.mark.parametrize(
    "counts", list(itertools.product([0, 1, 4, 9, 10, 11, 25], repeat=3))
)
def test_no_hidden_cell_can_be_worked_out_from_the_total(
    counts: tuple[int, ...],
) -> None:
    result = suppress(dict(zip("ABC", counts, strict=True)), 10)
    hidden = [c for c in result.cells if c.hidden]
    assert not recoverable(result)
    assert all(c.count >= 10 or c.count == 0 or c.hidden for c in result.cells)
    if not result.suppressed and hidden:
        assert len(hidden) >= 2
