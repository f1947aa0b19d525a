"""The board's fixtures: outcomes are about the plan the board monitors."""

from tests.board.conftest import board  # noqa: F401 - a fixture, used by name
