"""Structured identifiers: NHS and National Insurance numbers, postcodes, pupil
numbers, phone numbers, email addresses, house addresses and case references.

Every pattern is linear: quantifiers are bounded, candidates are validated after
matching (check digits, official formats), and phone numbers and emails are found
from cheap anchors before any parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from stdnum.gb import nhs, upn

from portal.privacy.findings import Finding

_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?+(\d{3})[ -]?+(\d{4})(?![\d-])")
# HMRC NIM39110: D, F, I, Q, U, V never used; O never second; some pairs not issued.
_NINO = re.compile(
    r"(?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?+(\d{2})\s?+(\d{2})\s?+(\d{2})\s?+([A-D])\b"
)
_NINO_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
# A postcode is read from the right: the inward code is always digit + two letters,
# and whatever two to four characters come before it form the outward code, which is
# then checked against the six official formats. (A pattern that takes the outward
# code first cannot give back a character, so "CW27QX" was never found.)
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?|[Gg][Ii][Rr]) ?"
    r"([0-9][A-Za-z]{2})(?![A-Za-z0-9])"
)
_OUTWARD = re.compile(
    r"[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
)
_INWARD = re.compile(r"[0-9][ABD-HJLNP-UW-Z]{2}")
_UPN = re.compile(r"(?i)\b[A-Z][0-9]{11}[0-9A-Z]\b")
_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s(?:[A-Z][a-z'\-]{1,20}+\s){1,3}"
    r"(?:Road|Rd|Street|St|Close|Avenue|Ave|Drive|Lane|Ln|Way|Crescent|Court|Ct|"
    r"Place|Pl|Grove|Gardens|Gdns|Terrace|Walk|Mews|Square|Park|Rise|Hill|View|Row)\b"
)
# A label, then a list of identifiers: "LCS 1234567, 1234568 and 1234569",
# "case refs 2204518/2204519", "IDs 1234567 & 7654321".
_CASE_LABEL = re.compile(
    r"(?i)\b(?:LCS|Mosaic|EHM|Liquid ?logic|Azeus|ContrOCC|cases|case|refs|ref|"
    r"references|reference|IDs|ID|person IDs?|child IDs?|file)(?![a-z])"
    r"(?:\s?(?:no\.?|nos\.?|numbers?|refs?|IDs?))?[\s:#.\-]{0,3}"
)
_CASE_ID = re.compile(r"(?:[A-Z]{1,4}/\d{2,4}/\d{2,6}|[A-Z]{0,3}\d{5,10})(?!\d)")
_CASE_JOIN = re.compile(r"\s?(?:,|/|&|\+|;)?\s?(?:and\s|or\s|&\s)?\s?")
_PHONE_ANCHOR = re.compile(r"(?<![A-Za-z0-9+])(?:\+44|\(?0)[\d ()\-]{8,16}+")
_EMAIL_LOCAL = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
)
# Punycode top-level domains (xn--...) as well as letters.
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9-]{1,63}+\.){1,8}+(?:xn--[A-Za-z0-9-]{1,59}+|[A-Za-z]{2,24}+)\b"
)


def squash(postcode: str) -> str:
    return re.sub(r"\s", "", postcode).upper()


def nhs_numbers(text: str) -> Iterator[Finding]:
    for m in _NHS.finditer(text):
        if nhs.is_valid("".join(m.groups())):
            yield Finding(m.start(), m.end(), "nhs_number")


def ni_numbers(text: str) -> Iterator[Finding]:
    for m in _NINO.finditer(text):
        if m.group(1).upper() not in _NINO_NEVER:
            yield Finding(m.start(), m.end(), "ni_number")


def is_postcode(value: str) -> bool:
    """Any official UK postcode format, with or without the space, any case."""
    compact = squash(value)
    if compact == "GIR0AA":
        return True
    outward, inward = compact[:-3], compact[-3:]
    return bool(_OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward))


def postcodes(text: str, allowed: frozenset[str]) -> Iterator[Finding]:
    for m in _POSTCODE.finditer(text):
        value = m.group(0)
        if is_postcode(value) and squash(value) not in allowed:
            yield Finding(m.start(), m.end(), "postcode")


def pupil_numbers(text: str) -> Iterator[Finding]:
    for m in _UPN.finditer(text):
        if upn.is_valid(m.group(0).upper()):
            yield Finding(m.start(), m.end(), "pupil_number")


def phones(text: str) -> Iterator[Finding]:
    for m in _PHONE_ANCHOR.finditer(text):
        candidate = m.group(0).rstrip(" -(")
        end = m.start() + len(candidate)
        if end < len(text) and text[end].isalnum():
            continue  # part of a longer token ("07700900123ABC")
        if sum(c.isdigit() for c in candidate) < 10:
            continue
        try:
            number = phonenumbers.parse(candidate, "GB")
        except phonenumbers.NumberParseException:
            continue
        # is_possible (not is_valid): Ofcom's drama ranges are not "valid" numbers,
        # yet a real-looking number in a comment is exactly what we must catch.
        if phonenumbers.is_possible_number(number):
            yield Finding(m.start(), end, "phone")


def emails(text: str) -> Iterator[Finding]:
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain is not None:
            yield Finding(start, domain.end(), "email")
        at = text.find("@", at + 1)


def addresses(text: str) -> Iterator[Finding]:
    for m in _STREET.finditer(text):
        yield Finding(m.start(), m.end(), "address")


def case_references(
    text: str, patterns: tuple[re.Pattern[str], ...]
) -> Iterator[Finding]:
    """Every identifier in a list after a case-system label, plus the council's
    own formats (CASE_REFERENCE_PATTERNS) wherever they appear."""
    for label in _CASE_LABEL.finditer(text):
        position = label.end()
        for _ in range(20):  # a list of at most 20 identifiers
            found = _CASE_ID.match(text, position)
            if found is None:
                break
            yield Finding(found.start(), found.end(), "case_reference")
            join = _CASE_JOIN.match(text, found.end())
            position = join.end() if join else found.end()
    for pattern in patterns:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                yield Finding(m.start(), m.end(), "case_reference")
