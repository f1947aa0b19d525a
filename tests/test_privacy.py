"""The personal-data detector and safeguarding triage (portal/privacy.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from portal.privacy import (
    DEFAULT_SAFEGUARDING_PHRASES,
    MAX_SCAN_CHARS,
    PrivacySettings,
    check,
    scan,
    segments,
)

SETTINGS = PrivacySettings(
    office_postcodes=frozenset({"CW111HZ"}),
    case_patterns=(re.compile(r"\bCE-\d{6}\b"),),
    safeguarding_phrases=DEFAULT_SAFEGUARDING_PHRASES,
)


@pytest.mark.parametrize(
    ("text", "found", "kind"),
    [
        ("NHS number 943 476 5919 on file", "943 476 5919", "nhs_number"),
        ("NHS number 9434765919", "9434765919", "nhs_number"),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C", "ni_number"),
        ("ni jg103759a", "jg103759a", "ni_number"),
        ("they live near B1 1AA", "B1 1AA", "postcode"),
        ("moved to SW1A 1AA", "SW1A 1AA", "postcode"),
        ("GIR 0AA", "GIR 0AA", "postcode"),
        ("UPN B801200005001", "B801200005001", "pupil_number"),
        ("DOB 03/04/2016", "03/04/2016", "date_of_birth"),
        ("she was born 3rd April 2016", "3rd April 2016", "date_of_birth"),
        ("a boy aged 7 was", "aged 7", "age"),
        ("the 3-year-old", "3-year-old", "age"),
        ("a baby 6 months old", "6 months old", "age"),
        ("mobile 07700 900123", "07700 900123", "phone"),
        ("landline 020 7946 0123", "020 7946 0123", "phone"),
        ("call 0121 496 0123", "0121 496 0123", "phone"),
        ("ring +44 7700 900123", "+44 7700 900123", "phone"),
        ("write to jo.bloggs@example.org today", "jo.bloggs@example.org", "email"),
        ("Mum, Sarah said", "Sarah", "name"),
        ("baby Jayden was", "Jayden", "name"),
        ("Mrs Patel came", "Patel", "name"),
        ("her brother called Tyler", "Tyler", "name"),
        ("they live at 12 Acacia Avenue now", "12 Acacia Avenue", "address"),
        ("LCS 1234567 shows", "1234567", "case_reference"),
        ("see ref CE-123456", "CE-123456", "case_reference"),
    ],
)
def test_detects_personal_data(text: str, found: str, kind: str) -> None:
    findings = scan(text, SETTINGS)
    assert [(text[f.start : f.end], f.kind) for f in findings] == [(found, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "NHS number 943 476 5918",  # fails the mod-11 check digit
        "QQ123456C",  # HMRC's example prefix, never issued
        "BG123456A",  # never issued
        "DA123456A",  # D is never a first letter
        "the office at CW11 1HZ",  # the council's own postcode (allowlisted)
        "we met on 03/04/2016 to plan",  # a date, but not a date of birth
        "her mum. She said it helped",  # a sentence break, not a name
        "The team needs more supervision time and clearer thresholds for early "
        "help. Managers should challenge drift in plans at every review.",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert scan(text, SETTINGS) == []


def test_overlapping_findings_are_merged() -> None:
    text = "contact 07700 900123 or jo@example.org"
    kinds = [f.kind for f in scan(text, SETTINGS)]
    assert kinds == ["phone", "email"]


def test_safeguarding_triage() -> None:
    report = check({"a": "Her sister Amy has bruises on her arms"}, SETTINGS)
    assert "physical harm or chastisement" in report.safeguarding
    assert "about a specific child" in report.safeguarding
    lead = PrivacySettings(safeguarding_phrases=("black eye",))
    own = check({"a": "Came in with two black eyes, said he walked into a door"}, lead)
    assert "the safeguarding lead's phrase list: black eye" in own.safeguarding
    calm = check({"a": "We need better access to family group conferences."}, SETTINGS)
    assert calm.safeguarding == [] and not calm.has_personal_data


def test_report_stores_positions_never_text() -> None:
    report = check({"obstacles": "Mum, Sarah said"}, SETTINGS)
    assert report.as_json() == [
        {"field": "obstacles", "start": 5, "end": 10, "kind": "name"}
    ]


def test_segments_rebuild_the_text() -> None:
    text = "Call 07700 900123 please"
    parts = segments(text, scan(text, SETTINGS))
    assert "".join(p.text for p in parts) == text
    assert [p.label for p in parts] == [None, "Phone number", None]


def test_settings_from_config() -> None:
    settings = PrivacySettings.from_config(
        {"OFFICE_POSTCODES": ["cw11 1hz"], "CASE_REFERENCE_PATTERNS": [r"\bX\d{3}\b"]}
    )
    assert settings.office_postcodes == {"CW111HZ"}
    assert scan("case X123", settings)[0].kind == "case_reference"
    assert settings.safeguarding_phrases == DEFAULT_SAFEGUARDING_PHRASES


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 25_000,
        "A" * 50_000,
        "Mum Aaaa " * 6_000,
        "a@" * 25_000,
        "1/1/" * 12_500,
        "(0" * 25_000,
        "12 Aaaa Bbbb Cccc " * 3_000,
        "x" * 200_000,  # longer than the cap: only the first 50,000 are scanned
    ],
)
def test_pathological_input_is_scanned_in_linear_time(text: str) -> None:
    """Eight times the input costs about eight times the work, never the 64 of a
    quadratic pattern. Measured as a ratio within one run (best of three, CPU
    time), so a busy machine slows both sides alike; the seconds themselves are
    in docs/benchmarks.md (bench/privacy.py)."""
    assert MAX_SCAN_CHARS == 50_000
    assert growth(scan, text, SETTINGS) < 24


def growth(scanner: Callable[..., object], text: str, *args: object) -> float:
    def cost(sample: str) -> float:
        runs = []
        for _ in range(3):
            started = time.process_time()
            scanner(sample, *args)
            runs.append(time.process_time() - started)
        return min(runs)

    return cost(text) / max(cost(text[: len(text) // 8]), 1e-4)


def test_the_linear_time_check_can_fail() -> None:
    """The guard above catches a quadratic scan (the failure it exists for)."""
    import re as regex

    quadratic = regex.compile(r"a*b")  # search retries from every position

    def slow(sample: str, *_: object) -> object:
        return quadratic.search(sample)

    assert growth(slow, "a" * 8_000) >= 24
