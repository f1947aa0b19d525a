"""The failure classes of issue 12, one expectation each, written by hand (not
taken from any evaluation set): names by position and context, ages, lists of
case references and dates of birth, every postcode format, phones and emails at
the edges of tokens, and the safeguarding triage's idioms and families."""

from __future__ import annotations

import re
import sys

import pytest

from portal.privacy import PrivacySettings, check, scan
from portal.privacy.identifiers import is_postcode
from portal.privacy.triage import triage

SETTINGS = PrivacySettings(office_postcodes=frozenset({"CW14HQ"}))


def found(text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scan(text, SETTINGS) if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Jordan Smith has had four placements.", ["Jordan Smith"]),
        ("I did the visits for Zainab myself.", ["Zainab"]),
        ("The eldest, Tomasz, gets them to school.", ["Tomasz"]),
        ("Dad (Marcus) was released last month.", ["Marcus"]),
        ("Twins Ellie and Grace were moved twice.", ["Ellie", "Grace"]),
        ("The Okafor family have had three workers.", ["Okafor"]),
        ("Mum, Kerry Walsh, rang; Kerry said nobody called.", ["Kerry Walsh", "Kerry"]),
        ("Grandad, Mr Jones, does the school run.", ["Jones"]),
        ("MUM KERRY CALLED ABOUT CONTACT WITH JAYDEN AGAIN", ["KERRY", "JAYDEN"]),
        ("visited aoife and declan, aoife was quiet", ["aoife", "declan", "aoife"]),
        ("Kwame said the carer is kind and Kwame's school agreed.", ["Kwame", "Kwame"]),
        ("Her name was entered as A. Begum on the system.", ["A. Begum"]),
    ],
)  # fmt: skip
def test_names_by_position_context_and_spreading(text: str, names: list[str]) -> None:
    assert found(text, "name") == names


@pytest.mark.parametrize(
    "text",
    [
        "Supervision with my TM is cancelled most weeks.",
        "The Early Help team and the MASH do not share a front door.",
        "Munro said it years ago and Lord Laming before her.",
        "Kent and Cheshire said the same at the regional meeting.",
        "Will someone please own the permanence tracker? May is too late.",
        "The DfE guidance and the SGOs panel both changed in June.",
        "Peppa Pig and Paddington are on the TV in the contact room.",
    ],
)
def test_ordinary_capitalised_words_are_not_names(text: str) -> None:
    assert found(text, "name") == []


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Priya, 7, is still waiting.", ["7"]),
        ("Priya (7) told the IRO.", ["7"]),
        ("Priya is 7 and has had five workers.", ["7"]),
        ("She is now 2 and has never had a health visitor.", ["2"]),
        ("Callum turned 15 in the summer.", ["15"]),
        ("a boy aged 11 and a 9 weeks old baby", ["aged 11", "9 weeks old"]),
        ("The caseload of 15 is too high; 12 recommendations remain.", []),
        ("We meet within 10 days; section 47 enquiries take 15 days.", []),
    ],
)
def test_ages(text: str, ages: list[str]) -> None:
    assert found(text, "age") == ages


def test_case_reference_lists_and_plural_labels() -> None:
    text = "LCS 1234567, 1234568 and 1234569 drift; case refs 2204518/2204519 too."
    assert found(text, "case_reference") == [
        "1234567", "1234568", "1234569", "2204518", "2204519",
    ]  # fmt: skip
    assert found("IDs 7654321 & 7654322 were audited", "case_reference") == [
        "7654321", "7654322",
    ]  # fmt: skip
    assert found("a caseload of 15 and 20 cases", "case_reference") == []


def test_dates_of_birth_plural_and_beside_a_name() -> None:
    text = "DOBs 01/02/2015 and 3 March 2017 were swapped. Review on 12/03/2024."
    assert found(text, "date_of_birth") == ["01/02/2015", "3 March 2017"]
    assert found("Dates of birth: 4.5.16, 9.10.18", "date_of_birth") == [
        "4.5.16", "9.10.18",
    ]  # fmt: skip
    assert found("Jade (12/03/2015) moved again", "date_of_birth") == ["12/03/2015"]
    assert found("The panel on 14 May 2025 was late", "date_of_birth") == []


# One example of every official outward-code format (A9, A99, AA9, AA99, A9A,
# AA9A) and the special GIR 0AA.
POSTCODES = [
    "M1 1AA",
    "M60 1NW",
    "CR2 6XH",
    "DN55 1PT",
    "W1A 0AX",
    "EC1A 1BB",
    "GIR 0AA",
]


@pytest.mark.parametrize("postcode", POSTCODES)
@pytest.mark.parametrize("space", [True, False])
@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_every_postcode_format_with_and_without_the_space(
    postcode: str, space: bool, case: object
) -> None:
    assert callable(case)
    written = case(postcode if space else postcode.replace(" ", ""))
    assert is_postcode(written)
    assert found(f"They moved to {written}, last week.", "postcode") == [written]


@pytest.mark.parametrize("text", ["Q1 1AA", "V1 1AA", "X9 9XX", "AB1 1CA", "CW1 4HQ"])
def test_invalid_postcodes_and_the_office_are_not_flagged(text: str) -> None:
    assert found(f"Post to {text} please", "postcode") == []


def test_phone_and_email_edges() -> None:
    assert found("token A07700900123B is a serial", "phone") == []
    assert found("ring 07700900123.", "phone") == ["07700900123"]
    text = "email family@xn--mnchen-3ya.example now"
    assert found(text, "email") == ["family@xn--mnchen-3ya.example"]


@pytest.mark.parametrize(
    "text",
    [
        "A girl on my caseload told me today her stepdad locks her in her room.",
        "Yesterday a boy in one of our homes said a night worker pushed him.",
        "The baby has a fracture and nobody can explain how it happened.",
        "He keeps going missing, has a new phone and cash, and older lads pick him up.",
        "The children were left alone overnight and there was no food in the house.",
        "Dad was drunk when he collected the kids and drove them home.",
        "She said she wants to kill herself and has been cutting her arms again.",
        "A teacher has been messaging one of the girls on social media at night.",
    ],
)
def test_disclosures_are_flagged_with_reasons_that_quote_nothing(text: str) -> None:
    result = triage(text)
    assert result.flagged
    words = set(re.findall(r"[a-z]{5,}", text.lower())) - {
        "child", "children", "specific", "about", "happening", "harm",
    }  # fmt: skip
    for reason in result.reasons:
        assert not any(word in reason for word in words - _LABEL_WORDS), reason


_LABEL_WORDS = {
    "physical", "chastisement", "sexual", "grooming", "signs", "exploitation",
    "neglect", "needs", "carer", "influence", "self-harm", "suicidal", "words",
    "allegation", "someone", "works", "trafficking", "modern", "slavery", "discusses",
    "service", "told", "just",
}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "It was a bruising meeting with the commissioners.",
        "We are locked in to a contract with the provider until 2027.",
        "The self-harm pathway with CAMHS is confusing.",
        "Staff turnover hit us hardest in the assessment team.",
        "Agency turnover is killing our continuity.",
        "Our neglect strategy has never been evaluated.",
        "The FGM policy needs updating before the summer.",
        "Ten years ago a child was badly hurt in a case I worked.",
        "We will burn out the people we are trying to keep.",
    ],
)
def test_idioms_and_service_talk_do_not_fire(text: str) -> None:
    assert not triage(text).flagged


def _work(text: str) -> int:
    """Python-level steps the check takes (line events): a count, not a time."""
    steps = 0

    def tracer(frame: object, event: str, _arg: object) -> object:
        nonlocal steps
        steps += 1
        return tracer

    sys.settrace(tracer)  # type: ignore[arg-type]
    try:
        check({"a": text}, SETTINGS)
    finally:
        sys.settrace(None)
    return steps


@pytest.mark.parametrize(
    "unit",
    [
        "Mum, Kerry Walsh (7) rang 07700 900123 about DOB 01/02/2015. ",
        "Jade and Amy and Zoe, ",
        "cut cut girl abroad ",
        "LCS 1234567, 1234568, ",
        "DOB 1/1/2015 1/1/2015 ",
    ],
)
def test_the_work_grows_linearly_with_the_text(unit: str) -> None:
    """Four times the text takes at most about four times the steps."""
    small, large = _work(unit * 100), _work(unit * 400)
    assert large <= 4.6 * small, (small, large)
