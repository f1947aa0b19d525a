"""Times are stored in UTC and shown and entered in the council's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_utc(day: date, at: time) -> datetime:
    """A local date and time (as staff type them) as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=zone()).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(zone())


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    # The 24-hour clock everywhere, as staff type times into the forms ("19:26").
    return to_local(value).strftime("%-d %B %Y at %H:%M")


def local_timestamp(value: datetime | None) -> str:
    """To the second, for the audit trail, with the zone named."""
    if value is None:
        return ""
    return to_local(value).strftime("%-d %b %Y %H:%M:%S %Z")


def local_date(value: date | datetime | str | None) -> str:
    """A date as "1 December 2015"; also an ISO date string, as frozen snapshots
    hold them."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _day(value)


@lru_cache(maxsize=1024)
def _day(value: date) -> str:
    # A queue page shows 25 rows from a few days: strftime was a tenth of
    # drawing its rows.
    return value.strftime("%-d %B %Y")


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_timestamp)
    app.add_template_filter(local_date)
