"""Benchmark: the XLSX export's writer against the faster writers on PyPI, on the
same rows (issue 16).

Reads the export's rows from a database (`--url`, for example one that
`bench/dataset.py` built), then writes them with each writer in a process of its
own: seconds per 100,000 rows and the process's peak RSS. The portal's own
writer runs with this interpreter; the others with `--python`, an interpreter of
a scratch virtual environment that has them (they are not the portal's
dependencies):

    python -m venv /tmp/writers
    /tmp/writers/bin/pip install XlsxWriter==3.3.1 pyexcelerate==0.13.0 \
        rustpy-xlsxwriter==0.8.0
    .venv/bin/python bench/xlsx_writers.py --url sqlite:///... \
        --python /tmp/writers/bin/python

Only the portal's writer gives the documents issue's formatting (wrapped text
columns with row heights, letterhead, frozen header, filter, print set-up); the
others are timed writing plain cells, so they are an upper bound on what they
would gain.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Each writer's own code, run in its own process so its peak RSS is its own.
WRITE = r"""
import datetime, pickle, sys, time
which, rows_file, out = sys.argv[1:4]
header, rows = pickle.load(open(rows_file, "rb"))
started = time.perf_counter()
if which == "xlsxwriter (plain cells)":
    import xlsxwriter
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Input")
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "d mmm yyyy", "valign": "top"})
    sheet.write_row(0, 0, header)
    for n, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(n, c, value, day)
            elif isinstance(value, str):
                sheet.write_string(n, c, value, wrap)
            elif value is not None:
                sheet.write_number(n, c, value)
    book.close()
elif which == "pyexcelerate":
    from pyexcelerate import Workbook
    book = Workbook()
    book.new_sheet("Input", data=[header] + rows)
    book.save(out)
elif which == "rustpy-xlsxwriter":
    from rustpy_xlsxwriter import FastExcel
    FastExcel(out).sheet("Input", [dict(zip(header, row)) for row in rows]).save()
else:
    sys.path.insert(0, sys.argv[4])
    from portal.documents import Letterhead
    from portal.summaries.export_sheet import write_xlsx_rows
    letterhead = Letterhead("Council", "OFFICIAL", "Input", "Bench")
    write_xlsx_rows(iter(rows), out, letterhead)
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent at fork.
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(f"{seconds:.3f} {peak:.0f}")
"""

OTHERS = ("xlsxwriter (plain cells)", "pyexcelerate", "rustpy-xlsxwriter")


def export_rows(url: str, rows_file: Path) -> int:
    from bench.dataset import make_app
    from portal import db
    from portal.summaries import exports

    app = make_app(url)
    with app.app_context():
        request = exports.ExportRequest([], False, 5)
        rows = list(exports.rows(db.get_session(), request))
    rows_file.write_bytes(pickle.dumps((exports.HEADER, rows)))
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--python", help="an interpreter with the other writers")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows_file = Path(folder) / "rows.pickle"
        count = export_rows(args.url, rows_file)
        writers = [("portal (sheet_stream)", sys.executable)]
        writers += [(name, args.python) for name in OTHERS if args.python]
        print(f"{count:,} rows of the export; best of {args.runs} runs")
        for name, python in writers:
            runs = []
            for _ in range(args.runs):
                done = subprocess.run(
                    [python, "-c", WRITE, name, str(rows_file),
                     str(Path(folder) / "out.xlsx"), str(ROOT)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                seconds, peak = done.stdout.split()
                runs.append((float(seconds), int(peak)))
            seconds, peak = min(runs)
            print(f"  {name:26} {seconds / count * 100_000:6.2f} s per 100k rows"
                  f"  peak RSS {peak} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
