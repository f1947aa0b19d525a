"""Text normalisation on the way in."""

from __future__ import annotations

import pytest

from portal.sanitise import plain_text, single_line


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  hello  ", "hello"),
        ("a\x00b\x0bc\x0cd\x7fe\x9ff", "abcdef"),
        ("tab\tkept\r\nCRLF\rCR", "tab\tkept\nCRLF\nCR"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        ("", ""),
        (None, ""),
    ],
)
def test_plain_text(raw: str | None, clean: str) -> None:
    assert plain_text(raw) == clean


def test_single_line_collapses_whitespace() -> None:
    assert single_line("  Children \n in\tNeed  ") == "Children in Need"
