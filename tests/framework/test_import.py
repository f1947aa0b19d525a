"""The bundled 2015 framework and the import format (JSON and CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import placeholder_recommendations
from portal.errors import DomainError, InvalidInput
from portal.framework.importer import BUNDLED, parse_csv, parse_json, read_file
from portal.framework.service import import_framework
from portal.models import Area, AuditEvent, Inspection, Recommendation

REPORT = Path(__file__).resolve().parents[3] / "shared" / "context"


def counts(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model))
        for model in (Inspection, Area, Recommendation)
    )


@pytest.mark.usefixtures("framework")
def test_bundled_framework_has_the_reports_areas(session: Session) -> None:
    inspection = session.scalar(select(Inspection))
    assert inspection is not None
    assert inspection.local_authority == "Cheshire East"
    assert str(inspection.published_on) == "2015-09-15"
    la = [a for a in inspection.areas if a.addressed_to == "local_authority"]
    lscb = [a for a in inspection.areas if a.addressed_to == "lscb"]
    assert len(la) == 12 and len(lscb) == 8
    assert (
        la[0].title
        == "Improving frontline management oversight and challenge of casework"
    )
    assert la[-1].title == "Make clearer delegated decisions to foster carers"
    assert lscb[6].title == "Develop a female genital mutilation (FGM) strategy"
    # The report names 17 local-authority recommendations but not their text:
    # none are invented. The 8 LSCB recommendations are the report's own words.
    assert [r.addressed_to for r in inspection.recommendations] == ["lscb"] * 8
    assert not any(r.is_placeholder for r in inspection.recommendations)
    assert all(len(r.areas) == 1 for r in inspection.recommendations)
    assert inspection.recommendations[5].text.startswith(
        "Improve the influence of CESCB in the work of the Health and Wellbeing Board"
    )


def test_area_titles_match_the_report_wording() -> None:
    report = REPORT / "hwb-report-ofsted-inspection-2015.txt"
    if not report.exists():
        pytest.skip("shared/context is not beside this checkout")
    text = " ".join(report.read_text().split())
    for area in json.loads(BUNDLED.read_text())["areas"]:
        title = area["title"].replace("quicker", "guicker")  # the report's OCR slip
        assert title in text, title


def test_import_is_idempotent_and_updates_by_code(session: Session) -> None:
    first = import_framework(session, None, read_file(BUNDLED))
    session.commit()
    assert first.areas_created == 20 and first.recommendations_created == 8
    again = import_framework(session, None, read_file(BUNDLED))
    session.commit()
    assert not again.changed
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    data = json.loads(BUNDLED.read_text())
    data["areas"][0]["description"] = "Reworded by the planning team."
    changed = import_framework(session, None, parse_json(json.dumps(data)))
    session.commit()
    assert (changed.areas_updated, changed.areas_created) == (1, 0)
    assert counts(session) == (1, 20, 8)


def test_csv_adds_recommendations_linked_to_areas(session: Session) -> None:
    import_framework(session, None, read_file(BUNDLED))
    session.commit()
    csv_text = (
        "\ufeffcode,text,addressed_to,areas,placeholder\n"
        'LA-R1,"Improve management oversight, with ""challenge"" recorded",'
        "local_authority,LA-01;LA-02,false\n"
        "LA-R2,Reduce reliance on agency staff,local_authority,LA-03,no\n"
    )
    summary = import_framework(session, None, parse_csv(csv_text, "cheshire-east-2015"))
    session.commit()
    assert summary.recommendations_created == 2
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LA-R1"))
    assert rec is not None
    assert rec.text == 'Improve management oversight, with "challenge" recorded'
    assert [a.code for a in rec.areas] == ["LA-01", "LA-02"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "other"}', "format"),
        (
            json.dumps({"format": "frontline-voice-framework/1", "inspection": {}}),
            "'key' is missing",
        ),
    ],
)
def test_bad_json_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_json(text)


def test_a_file_with_any_problem_changes_nothing(session: Session) -> None:
    import_framework(session, None, read_file(BUNDLED))
    session.commit()
    before = counts(session)
    data = json.loads(BUNDLED.read_text())
    data["areas"].append({"code": "NEW-1", "title": "A new area", "addressed_to": "la"})
    data["recommendations"].append(
        {"code": "LSCB-R1", "text": "dup", "addressed_to": "lscb", "areas": []}
    )
    with pytest.raises(InvalidInput) as refused:
        parse_json(json.dumps(data))
    assert "addressed_to" in refused.value.message
    assert "LSCB-R1 appears more than once" in refused.value.message
    bad_link = "code,text,addressed_to,areas,placeholder\nX-1,Text,lscb,NOPE-9,false\n"
    with pytest.raises(DomainError, match="Unknown area codes: NOPE-9"):
        import_framework(session, None, parse_csv(bad_link, "cheshire-east-2015"))
    session.rollback()
    assert counts(session) == before


def test_csv_needs_the_documented_header_and_an_inspection(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="header"):
        parse_csv("a,b\n1,2\n", "x")
    path = tmp_path / "recs.csv"
    path.write_text("code,text,addressed_to,areas,placeholder\n")
    with pytest.raises(InvalidInput, match="--inspection"):
        read_file(path)


def test_demo_placeholders_say_they_are_not_ofsteds_wording(session: Session) -> None:
    import_framework(session, None, read_file(BUNDLED))
    inspection = session.scalar(select(Inspection))
    assert inspection is not None
    import_framework(session, None, placeholder_recommendations(inspection))
    session.commit()
    placeholders = session.scalars(
        select(Recommendation).where(Recommendation.is_placeholder.is_(True))
    ).all()
    assert len(placeholders) == 12
    for rec in placeholders:
        assert rec.text.startswith("Placeholder, not Ofsted's wording")
        assert rec.areas[0].title in rec.text


def test_every_bundled_area_has_example_comments_with_no_personal_data(
    session: Session,
) -> None:
    from portal.privacy import PrivacySettings, scan

    import_framework(session, None, read_file(BUNDLED))
    areas = session.scalars(select(Area)).all()
    assert len(areas) == 20
    for area in areas:
        assert len(area.example_comments) >= 8, area.code
        for example in area.example_comments:
            assert not scan(example, PrivacySettings()), example


def test_example_comments_are_imported_and_updated_by_code(session: Session) -> None:
    data = json.loads(BUNDLED.read_text())
    data["areas"][0]["examples"] = ["  First   example  ", "", "Second example"]
    import_framework(session, None, parse_json(json.dumps(data)))
    session.commit()
    assert first(session, "LA-01").example_comments == [
        "First example",
        "Second example",
    ]
    data["areas"][0]["examples"] = ["Only one now"]
    changed = import_framework(session, None, parse_json(json.dumps(data)))
    session.commit()
    assert changed.areas_updated == 1
    assert first(session, "LA-01").example_comments == ["Only one now"]


@pytest.mark.parametrize(
    ("examples", "message"),
    [
        ("one long string", "examples must be a list of texts"),
        ([1, 2], "examples must be a list of texts"),
        (["x" * 501], "each example at most 500 characters"),
        (["an example"] * 51, "at most 50 examples"),
    ],
)
def test_bad_example_comments_refuse_the_file(examples: object, message: str) -> None:
    data = json.loads(BUNDLED.read_text())
    data["areas"][2]["examples"] = examples
    with pytest.raises(InvalidInput, match=f"area 3: {message}"):
        parse_json(json.dumps(data))


def first(session: Session, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code))
    assert area is not None
    return area
