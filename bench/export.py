"""Benchmark: the data export streams (portal/summaries/exports.py).

Fills a throwaway SQLite database with N approved submissions (default 10,000 and
100,000), then streams the CSV export and the XLSX export to files, reporting the
time and the peak Python memory (tracemalloc). Memory should stay flat as N grows
tenfold. Run: `make bench`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from portal import create_app, db
from portal.demo import load_bundled_framework
from portal.documents import Letterhead
from portal.export_formats import csv_rows
from portal.models import Area, EngagementRound, Submission, utcnow
from portal.summaries import exports

TEXT = "Supervision is cancelled when the rota is short and plans drift. " * 4


def fill(app: object, count: int) -> None:
    engine = db.writer(db.get_engine(app))  # type: ignore[arg-type]
    with app.app_context():  # type: ignore[attr-defined]
        session = db.get_session()
        load_bundled_framework(session)
        session.commit()
        area = session.scalar(select(Area.id))
    with engine.begin() as connection:
        round_id = connection.execute(
            insert(EngagementRound)
            .values(
                title="Bench",
                purpose="",
                opens_at=utcnow(),
                closes_at=utcnow(),
                status="closed",
            )
            .returning(EngagementRound.id)
        ).scalar_one()
        for start in range(0, count, 20_000):
            connection.execute(
                insert(Submission),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "round_id": round_id,
                        "area_id": area,
                        "kind": "named",
                        "status": "approved",
                        "submitted_on": date(2015, 11, 1),
                        "obstacles": TEXT,
                        "biggest_difference": "More time.",
                        "practice_example": "",
                        "priority": 3,
                        "safeguarding_flag": False,
                        "idempotency_key": uuid.uuid4().hex * 2,
                        "redactions": 0,
                        "has_personal_data": False,
                    }
                    for _ in range(min(20_000, count - start))
                ],
            )


def measure(app: object, fmt: str, folder: Path) -> tuple[float, float]:
    request = exports.ExportRequest([], False, 10)
    with app.app_context():  # type: ignore[attr-defined]
        session = db.read_session()
        tracemalloc.start()
        started = time.perf_counter()
        if fmt == "csv":
            with (folder / "out.csv").open("w", encoding="utf-8", newline="") as handle:
                handle.writelines(
                    csv_rows(exports.HEADER, exports.rows(session, request))
                )
        else:
            letterhead = Letterhead("Bench Council", "OFFICIAL", "Bench", "Bench")
            exports.write_xlsx(session, request, str(folder / "out.xlsx"), letterhead)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        session.close()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"{'rows':>8} {'format':<6} {'seconds':>8} {'peak MiB':>9}")
    for count in args.rows:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            app = create_app(
                {
                    "SECRET_KEY": "bench",
                    "TESTING": True,
                    "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
                }
            )
            db.upgrade(app)
            fill(app, count)
            for fmt in ("csv", "xlsx"):
                seconds, peak = measure(app, fmt, folder)
                print(f"{count:>8,} {fmt:<6} {seconds:>8.2f} {peak:>9.1f}")
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
