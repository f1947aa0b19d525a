"""Round set-up form (shape only)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Regexp

from portal.formkit import SafeGovDateInput, choices, db_id
from portal.models import RoundStatus
from portal.timefmt import to_local, to_utc

TIME_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d$"
TIME_MESSAGE = "Enter a time in 24-hour format, like 09:00 or 17:30"
STATUS_LABELS = {
    RoundStatus.DRAFT: "Draft: not yet visible to staff",
    RoundStatus.OPEN: "Open: staff can give input between the times above",
    RoundStatus.CLOSED: "Closed: no more input is accepted",
}


class RoundForm(FlaskForm):
    title = StringField(
        "Title",
        description="Staff see this, for example “Autumn 2015 staff engagement”.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a title"), Length(max=200)],
    )
    purpose = TextAreaField(
        "Purpose",
        description="Tell staff why their input is wanted and what will happen to it.",
        widget=GovCharacterCount(),
        validators=[
            Length(max=2000, message="Purpose must be 2000 characters or fewer")
        ],
    )
    opens_on = DateField(
        "Opens on",
        description="For example, 27 11 2015",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired("Enter the date the round opens, like 27 11 2015")],
    )
    opens_time = StringField(
        "Opening time",
        description="24-hour clock, for example 09:00",
        default="09:00",
        widget=GovTextInput(),
        validators=[
            DataRequired(TIME_MESSAGE),
            Regexp(TIME_PATTERN, message=TIME_MESSAGE),
        ],
    )
    closes_on = DateField(
        "Closes on",
        description="For example, 11 12 2015",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired("Enter the date the round closes, like 11 12 2015")],
    )
    closes_time = StringField(
        "Closing time",
        description="24-hour clock, for example 17:00",
        default="17:00",
        widget=GovTextInput(),
        validators=[
            DataRequired(TIME_MESSAGE),
            Regexp(TIME_PATTERN, message=TIME_MESSAGE),
        ],
    )
    area_ids = SelectMultipleField(
        "Areas for improvement in this round",
        description="Select all that staff should comment on.",
        widget=GovCheckboxesInput(),
        validators=[DataRequired("Select at least one area for improvement")],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(STATUS_LABELS.items()),
        default=RoundStatus.DRAFT.value,
        validators=[DataRequired("Select a status")],
    )
    submit = SubmitField("Save round", widget=GovSubmitInput())

    def set_area_choices(self, areas: list[tuple[int, str]]) -> None:
        self.area_ids.choices = choices((str(i), label) for i, label in areas)

    def area_values(self) -> list[int]:
        return [i for v in self.area_ids.data or [] if (i := db_id(v)) is not None]

    @staticmethod
    def _combine(day: date | None, clock: str | None) -> datetime:
        assert day is not None and clock  # noqa: S101 - validated by the form
        hours, minutes = clock.split(":")
        return to_utc(day, time(int(hours), int(minutes)))

    def opens_at(self) -> datetime:
        return self._combine(self.opens_on.data, self.opens_time.data)

    def closes_at(self) -> datetime:
        return self._combine(self.closes_on.data, self.closes_time.data)

    @classmethod
    def initial(cls, opens_at: datetime, closes_at: datetime) -> dict[str, object]:
        opens, closes = to_local(opens_at), to_local(closes_at)
        return {
            "opens_on": opens.date(),
            "opens_time": opens.strftime("%H:%M"),
            "closes_on": closes.date(),
            "closes_time": closes.strftime("%H:%M"),
        }
