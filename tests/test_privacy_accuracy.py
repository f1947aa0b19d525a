"""Accuracy guards for the personal-data check and the safeguarding triage, on the
held-out part of this project's evaluation set (bench/eval/privacy-heldout.jsonl,
never looked at while writing the rules) and on the shared development set. Each
floor sits a margin below the figure `make bench` wrote to docs/benchmarks.md, so a
change that loses accuracy fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "accuracy", ROOT / "bench" / "accuracy.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["accuracy"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


accuracy = _accuracy()
# Benchmarked (docs/benchmarks.md) -> floor here.
HELD_OUT_FLOORS = {"recall": 0.95, "precision": 0.95, "safeguarding": 0.85}
KIND_FLOOR = 0.9
FALSE_ALARMS_CEILING = 0.03


def test_held_out_personal_data_recall_and_precision_per_kind() -> None:
    score = accuracy.score(accuracy.load(accuracy.SETS["own held-out"]))
    assert sum(score.labelled.values()) >= 200, "the held-out part is big enough"
    assert score.recall() >= HELD_OUT_FLOORS["recall"]
    assert score.precision >= HELD_OUT_FLOORS["precision"]
    for kind in accuracy.KINDS.values():
        assert score.labelled[kind], f"the held-out part covers {kind}"
        assert score.recall(kind) >= KIND_FLOOR, kind


def test_names_the_gazetteer_does_not_know_are_found_by_context() -> None:
    score = accuracy.score(accuracy.load(accuracy.SETS["unseen names"]))
    assert score.labelled["name"] >= 100
    assert score.recall("name") >= 0.9 and score.recall("age") >= 0.9
    assert score.precision >= HELD_OUT_FLOORS["precision"]


def test_held_out_safeguarding_recall_and_false_alarms() -> None:
    score = accuracy.score(accuracy.load(accuracy.SETS["own held-out"]))
    assert score.alarms_due >= 10 and score.quiet_due >= 15
    assert score.safeguarding_recall >= HELD_OUT_FLOORS["safeguarding"]
    assert score.false_alarm_rate <= FALSE_ALARMS_CEILING


def test_shared_development_set() -> None:
    path = accuracy.SETS["shared dev"]
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    score = accuracy.score(accuracy.load(path))
    assert score.recall("name") >= 0.95
    assert score.recall() >= 0.95 and score.precision >= 0.95
    assert score.safeguarding_recall >= 0.9
    assert score.false_alarm_rate <= FALSE_ALARMS_CEILING
