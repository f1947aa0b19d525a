"""A council's own formats for the personal-data check: its office postcodes
(contact details, not personal data) and the references of its case systems.

`flask portal init` asks for them when run by a person (and `portal
configure-privacy` at any time); they are written to instance/config.py as
OFFICE_POSTCODES and CASE_REFERENCE_PATTERNS. A case format is given by example
("LCS1234567", "CP/2022/0417"): letters stay as written, each run of digits
becomes "that many digits", so nobody has to write a regular expression.
"""

from __future__ import annotations

import re

from portal.errors import InvalidInput
from portal.privacy.identifiers import is_postcode, squash

_PIECE = re.compile(r"\d+|[A-Za-z]+|[^A-Za-z\d]")


def pattern_from_example(example: str) -> str:
    """A bounded, linear pattern matching references shaped like ``example``."""
    example = example.strip()
    if not 4 <= len(example) <= 40 or not any(c.isdigit() for c in example):
        raise InvalidInput(
            f"“{example}” does not look like a case reference: give one real-looking "
            "example with its digits, such as LCS1234567 or CP/2022/0417."
        )
    parts = []
    for piece in _PIECE.findall(example):
        if piece.isdigit():
            parts.append(rf"\d{{{len(piece)}}}")
        else:
            parts.append(re.escape(piece))
    return r"(?<![\w/])" + "".join(parts) + r"(?![\w/])"


def office_postcode(value: str) -> str:
    if not is_postcode(value):
        raise InvalidInput(f"“{value.strip()}” is not a UK postcode.")
    compact = squash(value)
    return f"{compact[:-3]} {compact[-3:]}"


def config_lines(postcodes: list[str], patterns: list[str]) -> list[str]:
    """Lines for instance/config.py (later lines win, so re-running replaces)."""
    return [
        "# Written by `flask portal configure-privacy`.",
        f"OFFICE_POSTCODES = {postcodes!r}",
        f"CASE_REFERENCE_PATTERNS = {patterns!r}",
    ]
