"""The hand-written CSV writer gives exactly what the csv module gives (after the
formula guard), on random rows of awkward values."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from typing import Any

from portal.export_formats import csv_line, csv_rows, safe_cell

PIECES = ["a", "b c", ",", '"', "\r", "\n", "\r\n", "=", "+", "-", "@", "\t", " ",
          "£", "é", "\0", "''", "x" * 70]  # fmt: skip


def _value(rng: random.Random) -> Any:
    kind = rng.randrange(8)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-5, 500)
    if kind == 3:
        return rng.choice([0.5, -2.25, 1e20, 1.0, 0.0])
    if kind == 4:
        return date(2026, rng.randint(1, 12), rng.randint(1, 28))
    if kind == 5:
        return ""
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 6)))


def _by_the_csv_module(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) if not isinstance(v, date) else v for v in row])
    return buffer.getvalue()


def test_csv_lines_equal_the_csv_modules_output() -> None:
    rng = random.Random(2026)
    rows = [[_value(rng) for _ in range(rng.randrange(1, 15))] for _ in range(3000)]
    rows += [[""], [None], ["only"], ["=1", "-2"]]
    assert "".join(csv_line(row) for row in rows) == _by_the_csv_module(rows)


def test_csv_rows_batches_join_to_one_file() -> None:
    rows = [[n, f"text {n}, quoted"] for n in range(5)]
    text = "".join(csv_rows(["n", "t"], rows, batch=2))
    assert text.startswith("\ufeffn,t\r\n")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["n", "t"],
        *[[str(n), f"text {n}, quoted"] for n in range(5)],
    ]


def test_csv_rows_write_what_csv_line_writes() -> None:
    """``csv_rows`` writes through the csv module with remembered cells;
    ``csv_line`` is the reference, cell by cell."""
    rng = random.Random(2027)
    rows = [[_value(rng) for _ in range(rng.randrange(1, 15))] for _ in range(5000)]
    rows += [[""], [None], ["only"], ["=1", "-2"], ["x" * 63 + "\n", "=" + "y" * 80]]
    expected = "\ufeffh\r\n" + "".join(csv_line(row) for row in rows)
    assert "".join(csv_rows(["h"], rows, batch=7)) == expected
