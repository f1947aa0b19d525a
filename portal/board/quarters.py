"""Financial-year quarters, the board's reporting periods. English local
government's financial year runs from 1 April (Local Government Finance Act), so
Quarter 1 of 2016/17 is April to June 2016."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from portal.errors import InvalidInput
from portal.models import utcnow
from portal.timefmt import to_local

_KEY = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTHS = (
    "January February March April May June July August September October "
    "November December"
).split()


def today() -> date:
    """Today in the council's time zone: what "overdue" is judged against."""
    return to_local(utcnow()).date()


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year the financial year starts in
    number: int  # 1 to 4

    @classmethod
    def containing(cls, day: date) -> Quarter:
        months_in = (day.month - 4) % 12
        return cls(day.year if day.month >= 4 else day.year - 1, months_in // 3 + 1)

    @classmethod
    def parse(cls, key: str) -> Quarter:
        match = _KEY.match(key or "")
        if not match:
            raise InvalidInput("Choose a quarter", field="quarter")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def short(self) -> str:
        return f"Q{self.number} {self.year}/{(self.year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        return (
            f"Quarter {self.number} {self.year}/{(self.year + 1) % 100:02d} "
            f"({_MONTHS[first.month - 1]} to {_MONTHS[last.month - 1]} {last.year})"
        )


def label_of(key: str) -> str:
    return Quarter.parse(key).label


def short_of(key: str) -> str:
    return Quarter.parse(key).short


class _Quartered(Protocol):
    quarter: str


Q = TypeVar("Q", bound=_Quartered)


def in_order(rows: Iterable[Q], *, newest_first: bool = False) -> list[Q]:
    """Frozen rows (board snapshots, publications) in the order of their quarters."""
    return sorted(rows, key=lambda r: Quarter.parse(r.quarter), reverse=newest_first)
