"""Files people upload (board evidence): what may be uploaded, judged from the
content rather than the name, and where it is kept.

Only PDF, DOCX, XLSX, CSV, PNG and JPEG. A file is refused, with a message that
says why, when its name could reach outside its folder, when its content is not
what its name (or the browser) says, when it carries active content (PDF
JavaScript or launch actions, Office macros), or when it is a polyglot: a second
format hidden before or after the first (data after a PNG's IEND, a JPEG's end
marker or a ZIP's end record; a ZIP with data before it; HTML or script inside an
image). Kept under ``instance/evidence/`` with random names, owner-only, outside
``static/``; served only as an attachment by a permitted view."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, request

from portal.errors import InvalidInput

View = TypeVar("View")

FIELD = "file"

# extension -> (kind label, content type served, content types a browser may send)
TYPES: dict[str, tuple[str, str, frozenset[str]]] = {
    "pdf": ("PDF", "application/pdf",
            frozenset({"application/pdf", "application/x-pdf"})),
    "docx": (
        "Word document (DOCX)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset(
            {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    ),
    "xlsx": (
        "Excel workbook (XLSX)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset(
            {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    ),
    "csv": (
        "CSV file",
        "text/csv; charset=utf-8",
        frozenset(
            {"text/csv", "text/plain", "application/csv", "text/x-csv",
             "application/vnd.ms-excel"}
        ),
    ),
    "png": ("PNG image", "image/png", frozenset({"image/png"})),
    "jpg": ("JPEG image", "image/jpeg", frozenset({"image/jpeg", "image/pjpeg"})),
}  # fmt: skip
ALIASES = {"jpeg": "jpg"}
# What browsers send when they do not know: says nothing either way.
UNKNOWN_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
ALLOWED_WORDS = "a PDF, DOCX, XLSX, CSV, PNG or JPEG"
ACCEPT = ".pdf,.docx,.xlsx,.csv,.png,.jpg,.jpeg"

_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,150}$")
_STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{32}$")
_MARKUP = (b"<script", b"<html", b"<!doctype html", b"<?php", b"<svg", b"<iframe")
_PDF_ACTIVE = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field=FIELD)


def megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def check(name: str, declared: str | None, data: bytes, limit: int) -> CheckedFile:
    """Accept ``data`` as an evidence file, or raise InvalidInput saying why not."""
    if not _SAFE_NAME.match(name or "") or ".." in name or name.startswith("."):
        raise _refuse(
            "The file name must not contain slashes, '..' or control characters: "
            "rename the file and select it again"
        )
    stem, dot, extension = name.rpartition(".")
    extension = ALIASES.get(extension.lower(), extension.lower())
    if not dot or not stem or extension not in TYPES:
        raise _refuse(f"The selected file must be {ALLOWED_WORDS}")
    if not data:
        raise _refuse("The selected file is empty")
    if len(data) > limit:
        raise _refuse(f"The selected file must be smaller than {megabytes(limit)}")
    found = sniff(data)
    label = TYPES[extension][0]
    if found is None:
        raise _refuse(
            f"The selected file is not {ALLOWED_WORDS}: its content is not one of them"
        )
    if found != extension:
        raise _refuse(
            f"The file is named as a {label} but its content is a {TYPES[found][0]}: "
            "check you selected the right file"
        )
    sent = (declared or "").split(";")[0].strip().lower()
    if sent not in UNKNOWN_TYPES and sent not in TYPES[extension][2]:
        raise _refuse(
            f"The file was sent as {sent[:60]} but its content is a {label}: "
            "check you selected the right file"
        )
    problem = _hidden_content(extension, data)
    if problem:
        raise _refuse(f"The file cannot be accepted: {problem}. Nothing was saved")
    return CheckedFile(
        name=name,
        extension=extension,
        content_type=TYPES[extension][1],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def sniff(data: bytes) -> str | None:
    """The format the content itself says it is, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    if _is_csv(data):
        return "csv"
    return None


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_csv(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        return False
    if text.lstrip().startswith("<"):
        return False  # HTML, XML or SVG, whatever the name says
    try:
        for _row in csv.reader(io.StringIO(text)):
            pass
    except csv.Error:
        return False
    return True


def _hidden_content(extension: str, data: bytes) -> str | None:
    """What makes an otherwise well-formed file unsafe to keep, or None."""
    lowered = data.lower()
    if extension in ("png", "jpg", "pdf", "csv") and any(m in lowered for m in _MARKUP):
        return "it contains web page or script code"
    if extension in ("png", "jpg", "pdf") and b"pk\x05\x06" in lowered[-70_000:]:
        return "it has a ZIP archive hidden inside it"
    if extension == "png":
        return _png_problem(data)
    if extension == "jpg":
        ends = data[-2:] == b"\xff\xd9"
        return None if ends else "it has data after the end of the image"
    if extension == "pdf":
        names = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
        names = names.lower()
        if any(re.search(re.escape(a) + rb"(?![a-z])", names) for a in _PDF_ACTIVE):
            return "it contains scripts, embedded files or launch actions"
        if b"%%eof" not in lowered[-1024:]:
            return "it is incomplete or has data after its end"
    if extension in ("docx", "xlsx"):
        return _zip_problem(data)
    return None


def _png_problem(data: bytes) -> str | None:
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body_end = position + 8 + length
        if body_end + 4 > len(data):
            return "it is incomplete"
        (crc,) = struct.unpack(">I", data[body_end : body_end + 4])
        if zlib.crc32(data[position + 4 : body_end]) != crc:
            return "it is damaged"
        position = body_end + 4
        if kind == b"IEND":
            return None if position == len(data) else "it has data after its end"
    return "it is incomplete"


def _zip_problem(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            comment = archive.comment
    except (zipfile.BadZipFile, ValueError, OSError):
        return "it is damaged"
    if comment or data[-22:-18] != b"PK\x05\x06":
        return "it has data after its end"
    if not entries or min(e.header_offset for e in entries) != 0:
        return "it has data before its start"
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > (
        ZIP_MAX_UNPACKED
    ):
        return "it unpacks to far more than its size"
    for entry in entries:
        name = entry.filename.lower()
        if name.startswith("/") or ".." in name.split("/"):
            return "it holds a file that would unpack outside its folder"
        if name.endswith("vbaproject.bin") or "activex" in name:
            return "it contains macros or ActiveX controls"
    return None


def accepts_files(view: View) -> View:
    """Mark a view as taking a file: ``allow_files`` then lets its request carry
    one, up to the evidence limit plus room for the form's other fields."""
    view.accepts_files = True  # type: ignore[attr-defined]
    return view


def takes_files(view: Any) -> bool:
    while view is not None:
        if getattr(view, "accepts_files", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def allow_files() -> bool:
    """Before anything reads the form (so before the CSRF check): raise the size
    limit for a view that takes files. Returns whether it does."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not takes_files(view):
        return False
    # Room above the file's own limit for the form's other fields, so a file a
    # little too large still reaches the form and gets its message there.
    limit = int(current_app.config["EVIDENCE_MAX_BYTES"])
    request.max_content_length = limit + int(current_app.config["MAX_CONTENT_LENGTH"])
    return True


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / "evidence"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store(instance_path: str, data: bytes) -> str:
    """Write ``data`` under a new random name, owner-only; return the name."""
    name = secrets.token_urlsafe(24)
    target = folder(instance_path) / name
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return name


def path_of(instance_path: str, stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError("not a stored file name")
    return folder(instance_path) / stored_name


def remove(instance_path: str, stored_name: str) -> None:
    path_of(instance_path, stored_name).unlink(missing_ok=True)
