"""File downloads: a server-chosen name (never from user input), the right content
type, and always an attachment. Pages add Cache-Control: no-store (headers.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Response

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment(
    body: bytes | str | Iterable[bytes] | Iterable[str], stem: str, extension: str
) -> Response:
    """A download named like ``<stem>-20151201-0930.<extension>``."""
    name = datetime.now(UTC).strftime(f"{stem}-%Y%m%d-%H%M.{extension}")
    return Response(
        body,
        content_type=CONTENT_TYPES[extension],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
