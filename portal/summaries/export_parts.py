"""The command line's data export in parts, one process per part.

In one process the CSV of 550,000 rows (1M submissions) took about 0.7 s per
100,000 rows of its own work, most of it Python turning rows into text, while
the machine's other core stood idle (issue 16); the XLSX's rows cost more. The
export's (day, id) order is split into ranges of equal size
(``exports.key_at``) and each is written by a process of its own: the first
straight into the file, the others into private files beside it, joined in order
at the end (a CSV's bytes appended; a sheet's rows compressed apart and joined
into its one compressed entry, ``sheet_stream``). The file is the one a single
process writes (``tests/summaries/test_export_parts.py``).

Every part reads one snapshot of the database, as one read transaction would:

- PostgreSQL: the first part's transaction exports its snapshot
  (``pg_export_snapshot``) and the others adopt it, as ``pg_dump --jobs`` does;
- SQLite cannot share a snapshot between connections, so every part starts its
  read transaction while a connection of the first holds the write lock
  (``BEGIN IMMEDIATE``): no commit can fall between them. Writers wait the few
  milliseconds this takes, well inside their busy timeout.

The other processes are forked before any connection is open (an open
connection must not cross a fork) and hear their range through a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from portal import db, documents, sheet_stream
from portal.documents import Letterhead
from portal.summaries import export_sheet, exports

MIN_PART_ROWS = 20_000  # below this a part costs more to start than it saves
# A part that has not begun reading by then has failed. On SQLite the write lock
# is held while the parts begin, so this stays within writers' busy timeout.
READY_SECONDS = 5
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")
_BEGIN_READ = "SELECT 1 FROM submissions LIMIT 1"  # SQLite's snapshot: a first read


class PartFailed(RuntimeError):
    """A part of the export could not be written; the file is incomplete."""


@dataclass
class _Worker:
    process: Any  # multiprocessing's forked Process
    pipe: Pipe
    path: str
    rows: Any  # a shared counter the part adds its rows to
    told: int = 0  # how many of them progress has heard


def parts_for(total: int, jobs: int | None, dialect: str, fmt: str = "csv") -> int:
    """How many parts an export of ``total`` rows is written in: ``jobs``, or
    by default two with two cores or more, except a CSV on PostgreSQL, whose
    COPY makes the text with the database's own parallel workers (two parts
    took as long as one there, on two cores: docs/benchmarks.md). A sheet's
    rows are made here on both databases."""
    if jobs is None:
        python_made = fmt == "xlsx" or dialect == "sqlite"
        jobs = min(2, os.cpu_count() or 1) if python_made else 1
    return max(1, min(jobs, total // MIN_PART_ROWS))


def write_file(
    app: Flask,
    request: exports.ExportRequest,
    fmt: str,
    output: Path,
    total: int,
    jobs: int | None,
    progress: Callable[[int], None],
) -> None:
    """The data export (``fmt`` "csv" or "xlsx") into ``output``, which exists
    and is private: in parts (``parts_for``), or in this process."""
    engine: Engine = app.extensions["portal.engine"]
    parts = parts_for(total, jobs, engine.dialect.name, fmt)
    if fmt == "xlsx":
        letterhead = documents.letterhead(
            app.config, documents.DATA_TITLE, documents.DATA_SUBJECT
        )
        write_xlsx(app, request, output, total, parts, progress, letterhead)
    else:
        write_csv(app, request, output, total, parts, progress)


# The parts joined after the first: each part's file and what its writing gave.
Later = Callable[[], Iterator[tuple[str, Any]]] | None


class _Kind(Protocol):
    """How a format's parts are written and joined."""

    def part(
        self, session: Session, request: exports.ExportRequest, first_row: int,
        handle: BinaryIO, heard: Callable[[int], None],
    ) -> Any: ...  # fmt: skip

    def whole(
        self, session: Session, request: exports.ExportRequest, output: Path,
        heard: Callable[[int], None], later: Later,
    ) -> None: ...  # fmt: skip


class _Csv:
    def part(
        self, session: Session, request: exports.ExportRequest, first_row: int,
        handle: BinaryIO, heard: Callable[[int], None],
    ) -> None:  # fmt: skip
        handle.writelines(exports.csv_bytes(session, request, heard, header=False))

    def whole(
        self, session: Session, request: exports.ExportRequest, output: Path,
        heard: Callable[[int], None], later: Later,
    ) -> None:  # fmt: skip
        with output.open("wb") as file:
            file.writelines(exports.csv_bytes(session, request, heard))
            if later is None:  # in one part
                return
            session.rollback()  # the others have their snapshot: let it go
            for path, _ in later():
                with open(path, "rb") as part:
                    shutil.copyfileobj(part, file, 1 << 20)


@dataclass(frozen=True)
class _Sheet:
    layout: export_sheet.Layout

    def part(
        self, session: Session, request: exports.ExportRequest, first_row: int,
        handle: BinaryIO, heard: Callable[[int], None],
    ) -> tuple[int, int]:  # fmt: skip
        rows = self._rows(session, request, heard, first_row)
        return sheet_stream.deflate_rows(rows, handle)

    def whole(
        self, session: Session, request: exports.ExportRequest, output: Path,
        heard: Callable[[int], None], later: Later,
    ) -> None:  # fmt: skip
        segments: Callable[[], Iterator[sheet_stream.Segment]] | None = None
        if later is not None:
            finished = later

            def segments() -> Iterator[sheet_stream.Segment]:
                for path, written in finished():
                    if written is not None:  # None: a range past the last row
                        yield sheet_stream.Segment(path, *written)

        rows = self._rows(session, request, heard, sheet_stream.SAMPLE_ROW)
        sheet_stream.splice(
            self.layout.skeleton, str(output), export_sheet.SHEET, rows, segments
        )

    def _rows(
        self, session: Session, request: exports.ExportRequest,
        heard: Callable[[int], None], first_row: int,
    ) -> Iterator[str]:  # fmt: skip
        data = exports.counted(exports.sheet_rows(session, request), heard)
        return export_sheet.rows_xml(data, self.layout, first_row)


def write_csv(
    app: Flask,
    request: exports.ExportRequest,
    output: Path,
    total: int,
    parts: int,
    progress: Callable[[int], None],
    pause: Callable[[str], None] | None = None,
) -> None:
    """Write the CSV export to ``output`` (which exists, private) in ``parts``
    processes (one: in this one); ``total`` is how many rows it is expected to
    hold (the split falls at fractions of it). ``progress`` hears rows as they
    are written. ``pause`` (for tests) is called with "split" once the first
    part's snapshot has begun, before the others begin theirs, and with
    "reading" once all read in it, before any row is read."""
    _write(app, request, output, total, parts, progress, _Csv(), pause)


def write_xlsx(
    app: Flask,
    request: exports.ExportRequest,
    output: Path,
    total: int,
    parts: int,
    progress: Callable[[int], None],
    letterhead: Letterhead,
) -> None:
    """Write the XLSX export to ``output`` in ``parts`` processes, as
    ``write_csv`` does the CSV."""
    with export_sheet.laid_out(letterhead) as layout:
        _write(app, request, output, total, parts, progress, _Sheet(layout))


def _write(
    app: Flask,
    request: exports.ExportRequest,
    output: Path,
    total: int,
    parts: int,
    progress: Callable[[int], None],
    kind: _Kind,
    pause: Callable[[str], None] | None = None,
) -> None:
    if parts <= 1:  # in this process, in one read
        reader = db.read_session(app)
        try:
            kind.whole(reader, request, output, progress, None)
        finally:
            reader.close()
        return
    engine: Engine = app.extensions["portal.engine"]
    # No connection may cross the fork: SQLite's locks would not come along.
    if getattr(engine.pool, "checkedout", lambda: 0)():
        raise RuntimeError("close every session before writing in parts")
    engine.dispose()
    fork = multiprocessing.get_context("fork")
    with ExitStack() as cleanup:
        workers: list[_Worker] = []
        for _ in range(parts - 1):
            descriptor, path = tempfile.mkstemp(
                prefix=".export-part-", dir=output.parent
            )
            os.close(descriptor)  # mkstemp makes it readable by its owner only
            cleanup.callback(_remove, path)
            ours, theirs = fork.Pipe()
            rows = fork.Value("q", 0, lock=False)
            process = fork.Process(
                target=_write_part, args=(app, request, kind, path, theirs, rows)
            )
            process.start()
            theirs.close()
            cleanup.callback(_stop, process)
            workers.append(_Worker(process, ours, path, rows))
        reader = db.read_session(app)
        cleanup.callback(reader.close)
        _share_snapshot(engine, reader, workers, pause)
        if pause:
            pause("reading")
        until = _split(reader, request, total, workers)

        def heard(n: int) -> None:
            progress(n + _news(workers))

        def later() -> Iterator[tuple[str, Any]]:
            for worker in workers:
                while worker.process.is_alive():
                    worker.process.join(0.25)
                    progress(_news(workers))
                if worker.process.exitcode != 0 or not worker.pipe.poll():
                    raise PartFailed(f"a part of the export failed ({worker.path})")
                progress(_news(workers))
                yield worker.path, worker.pipe.recv()

        kind.whole(reader, replace(request, until=until), output, heard, later)


def _share_snapshot(
    engine: Engine,
    reader: Session,
    workers: list[_Worker],
    pause: Callable[[str], None] | None,
) -> None:
    """Begin ``reader``'s read and every worker's in the same snapshot; return
    once all have begun. SQLite's write lock is held only for this."""
    held: Connection | None = None
    snapshot: str | None = None
    try:
        if engine.dialect.name == "sqlite":
            held = db.writer(engine).connect()
            held.begin()  # BEGIN IMMEDIATE: no commit until every part reads
            reader.execute(text(_BEGIN_READ))
        else:
            reader.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            snapshot = reader.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        if pause:
            pause("split")
        for worker in workers:
            worker.pipe.send(snapshot)
        for worker in workers:
            _await_ready(worker)
    finally:
        if held is not None:
            held.rollback()
            held.close()


def _split(
    reader: Session, request: exports.ExportRequest, total: int, workers: list[_Worker]
) -> exports.Key | None:
    """Find where the parts end (in the shared snapshot), tell each worker its
    range and return where the first part ends."""
    parts = len(workers) + 1
    ends = [
        exports.key_at(reader, request, total * n // parts - 1) for n in range(1, parts)
    ]
    for n, worker in enumerate(workers, start=1):
        after, until = ends[n - 1], ends[n] if n < len(ends) else None
        # Its first row's number in a sheet: exact, as key_at counts in the snapshot.
        first_row = sheet_stream.SAMPLE_ROW + total * n // parts
        # A split past the last row (fewer rows than counted): nothing to write.
        worker.pipe.send(None if after is None else (after, until, first_row))
    return ends[0]


def _await_ready(worker: _Worker) -> None:
    try:
        if not worker.pipe.poll(READY_SECONDS) or worker.pipe.recv() != "ready":
            raise PartFailed("a part of the export did not start")
    except EOFError:
        raise PartFailed("a part of the export stopped before it started") from None


def _write_part(
    app: Flask,
    request: exports.ExportRequest,
    kind: _Kind,
    path: str,
    pipe: Pipe,
    rows: Any,
) -> None:
    """In a forked process: write a part, or fail naming only the error's type
    (a message can quote a cell, and cells hold what people wrote; the default
    would print the whole traceback)."""
    try:
        _write_part_rows(app, request, kind, path, pipe, rows)
    except Exception as error:
        sys.stderr.write(f"A part of the export failed: {type(error).__name__}\n")
        raise SystemExit(1) from None


def _write_part_rows(
    app: Flask,
    request: exports.ExportRequest,
    kind: _Kind,
    path: str,
    pipe: Pipe,
    rows: Any,
) -> None:
    """Begin reading in the shared snapshot when told, say so, then write the
    rows of the range it is given (no header)."""
    app.extensions["portal.engine"].dispose(close=False)  # the parent's, if any
    try:
        snapshot = pipe.recv()
    except EOFError:  # the parent stopped
        return
    with app.app_context():
        session = _in_snapshot(app, snapshot)
        try:
            pipe.send("ready")
            span = pipe.recv()
            if span is None:  # a range past the last row
                pipe.send(None)
                return
            after, until, first_row = span

            def heard(n: int) -> None:
                rows.value += n

            part = replace(request, after=after, until=until)
            with open(path, "wb") as handle:
                written = kind.part(session, part, first_row, handle, heard)
            pipe.send(written)
        finally:
            bind = session.get_bind()
            session.close()
            if isinstance(bind, Connection):
                bind.close()


def _in_snapshot(app: Flask, snapshot: str | None) -> Session:
    """A read session whose transaction has begun in the shared snapshot."""
    if snapshot is None:  # SQLite: the first read begins it, under the lock
        session = db.read_session(app)
        session.execute(text(_BEGIN_READ))
        return session
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise PartFailed("unexpected snapshot identifier")
    engine: Engine = app.extensions["portal.engine"]
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    # It must be the transaction's first statement, and takes no parameters.
    connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    return db.read_session(app, bind=connection)


def _news(workers: list[_Worker]) -> int:
    """Rows the other parts have written since progress last heard."""
    news = 0
    for worker in workers:
        now = int(worker.rows.value)
        news += now - worker.told
        worker.told = now
    return news


def _stop(process: Any) -> None:
    if process.is_alive():
        process.terminate()
    process.join()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
