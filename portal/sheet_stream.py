"""One large worksheet streamed into a workbook that XlsxWriter has laid out.

XlsxWriter's per-cell work cost about 7 s per 100,000 rows of the data export on
its own (issue 16), and the faster writers on PyPI hold the whole sheet in memory.
So XlsxWriter writes everything but the data: properties, styles, column widths,
the frozen header, filters, print set-up, the header row and one *sample row*
whose cells show which style each kind of cell uses. The file is then copied, entry
by entry, into the real one, with the sample row replaced by rows streamed from
the caller, written straight into the compressed entry, so memory stays flat.
"""

from __future__ import annotations

import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, Protocol

from portal.export_formats import safe_cell, xml_safe

SAMPLE_ROW = 2  # the row (1-based, as in the file) the skeleton's sample sits in
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 for dates after 1 March 1900
MAX_CELL = 32_767  # characters Excel keeps in one cell
_STYLE = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
_DIMENSION = re.compile(r"<dimension [^>]*/>")


@dataclass(frozen=True)
class Styles:
    """The style index of the sample row's text (and number) cells and of its
    date cells."""

    text: str
    day: str


def sample_styles(sheet_xml: str, text_column: str, day_column: str) -> Styles:
    found = dict(_STYLE.findall(sheet_xml))
    return Styles(text=found[text_column], day=found[day_column])


def _escaped(text: str) -> str:
    text = xml_safe(safe_cell(text))[:MAX_CELL]
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


# Short values (codes, names, kinds) repeat on row after row: escape each once.
_escaped_short = lru_cache(maxsize=4096)(_escaped)


@dataclass(frozen=True)
class _Cells:
    """The constant parts of each kind of cell. Cells carry no ``r`` reference:
    it is optional, and a cell without one follows the cell before it, so the
    reference would only cost time."""

    text: str
    empty: str
    number: str
    day: str


@cache
def _cells(styles: Styles) -> _Cells:
    return _Cells(
        text=f'<c s="{styles.text}" t="inlineStr"><is><t xml:space="preserve">',
        empty=f'<c s="{styles.text}"/>',
        number=f'<c s="{styles.text}"><v>',
        day=f'<c s="{styles.day}"><v>',
    )


def row_xml(number: int, values: list[object], styles: Styles, height: float) -> str:
    """One row of cells in order: numbers as numbers, dates as dates, everything
    else as text that is never a formula."""
    kinds = _cells(styles)
    parts = [f'<row r="{number}" ht="{height:g}" customHeight="1">']
    for value in values:
        if type(value) is str:
            if not value:
                parts.append(kinds.empty)
                continue
            escaped = _escaped_short(value) if len(value) < 64 else _escaped(value)
            parts += (kinds.text, escaped, "</t></is></c>")
        elif value is None:
            parts.append(kinds.empty)
        elif type(value) is int:
            parts += (kinds.number, str(value), "</v></c>")
        elif isinstance(value, date):
            parts += (kinds.day, _serial(value), "</v></c>")
        else:
            parts += (kinds.text, _escaped(str(safe_cell(value))), "</t></is></c>")
    parts.append("</row>")
    return "".join(parts)


@lru_cache(maxsize=4096)  # an export's rows share a few hundred days
def _serial(value: date) -> str:
    """Excel's day number (a fraction of a day for a time)."""
    if isinstance(value, datetime):
        since = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return f"{since.days + since.seconds / 86400:.10g}"
    return str((value - EXCEL_EPOCH).days)


@dataclass(frozen=True)
class Segment:
    """Rows compressed elsewhere (``deflate_rows``), to join into the sheet."""

    path: str  # the raw deflate data
    crc: int  # CRC-32 of the rows' text
    size: int  # bytes of the rows' text


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def deflate_rows(rows: Iterable[str], handle: Writable) -> tuple[int, int]:
    """Write ``rows`` to ``handle`` as raw deflate data that ends on a byte
    boundary with no final block (a full flush), so that pieces compressed by
    separate processes join, in order, into one stream. Returns the CRC-32 and
    size of the text, which the zip entry records."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    crc = size = 0
    for batch in _batches(rows):
        data = batch.encode("utf-8")
        crc = zlib.crc32(data, crc)
        size += len(data)
        handle.write(compressor.compress(data))
    handle.write(compressor.flush(zlib.Z_FULL_FLUSH))
    return crc, size


def _batches(rows: Iterable[str], size: int = 500) -> Iterable[str]:
    pending: list[str] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= size:  # one write per batch of rows
            yield "".join(pending)
            pending.clear()
    if pending:
        yield "".join(pending)


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two pieces of data joined, from each one's CRC and the
    second's size (zlib's crc32_combine, which Python's zlib does not offer):
    the first CRC is carried through as many zero bits by squaring the CRC's
    GF(2) matrix."""
    if second_size <= 0:
        return first
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _square(odd)  # two
    odd = _square(even)  # four
    while second_size:
        even = _square(odd)
        if second_size & 1:
            first = _times(even, first)
        second_size >>= 1
        if not second_size:
            break
        odd = _square(even)
        if second_size & 1:
            first = _times(odd, first)
        second_size >>= 1
    return first ^ second


def _times(matrix: list[int], vector: int) -> int:
    total, n = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[n]
        vector >>= 1
        n += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, row) for row in matrix]


def splice(
    skeleton: str,
    target: str,
    sheet: str,
    rows: Iterable[str],
    later: Callable[[], Iterable[Segment]] | None = None,
) -> None:
    """Copy ``skeleton`` to ``target`` with ``sheet``'s sample row replaced by
    ``rows`` (each a ``<row>`` element), then by the rows of the segments
    ``later`` gives, if any, in order. The dimension is dropped rather than
    guessed (it is optional; readers work it out)."""
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            if info.filename != sheet:
                out.writestr(info, source.read(info.filename))
                continue
            xml = _DIMENSION.sub("", source.read(sheet).decode("utf-8"), count=1)
            start = xml.index(f'<row r="{SAMPLE_ROW}"')
            end = xml.index("</row>", start) + len("</row>")
            with out.open(sheet, "w", force_zip64=True) as handle:
                if later is None:
                    handle.write(xml[:start].encode("utf-8"))
                    for batch in _batches(rows):
                        handle.write(batch.encode("utf-8"))
                    handle.write(xml[end:].encode("utf-8"))
                else:
                    head = itertools.chain([xml[:start]], rows)
                    _joined(handle, head, later(), xml[end:])


class _Counted:
    """A file that counts the bytes written to it."""

    def __init__(self, raw: Writable) -> None:
        self.raw, self.written = raw, 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.raw.write(data)


def _joined(
    entry: Any, head: Iterable[str], segments: Iterable[Segment], tail: str
) -> None:
    """Write the sheet's compressed data into the zip ``entry`` (zipfile's
    writer) as pieces: ``head`` (the XML before the rows, then this process's
    rows) compressed here, each segment as it was
    compressed elsewhere, then the tail. zipfile cannot take data compressed
    elsewhere, so the pieces go to its file directly and the entry is told the
    text's CRC and size; its own compressor, given nothing, ends the stream
    with an empty final block when the entry closes."""
    raw = _Counted(entry._fileobj)
    crc, size = deflate_rows(head, raw)
    for segment in segments:
        with open(segment.path, "rb") as piece:
            while chunk := piece.read(1 << 20):
                raw.write(chunk)
        crc = crc32_combine(crc, segment.crc, segment.size)
        size += segment.size
    tail_crc, tail_size = deflate_rows([tail], raw)
    entry._crc = crc32_combine(crc, tail_crc, tail_size)
    entry._file_size = size + tail_size
    entry._compress_size += raw.written
