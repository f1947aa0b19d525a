"""Summary narrative form (shape only; the service sanitises)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.formatting import HINT
from portal.formkit import choices


class NoteForm(FlaskForm):
    key_messages = TextAreaField(
        "Key messages",
        description=HINT,
        widget=GovCharacterCount(),
        validators=[
            Length(max=6000, message="Key messages must be 6000 characters or fewer")
        ],
    )
    questions = TextAreaField(
        "Questions for the seminar",
        description=HINT,
        widget=GovCharacterCount(),
        validators=[
            Length(max=6000, message="Questions must be 6000 characters or fewer")
        ],
    )
    submit = SubmitField("Save narrative", widget=GovSubmitInput())


class ExportForm(FlaskForm):
    rounds = SelectMultipleField(
        "Rounds",
        description="None ticked means every round.",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    format = RadioField(
        "Format",
        widget=GovRadioInput(),
        choices=choices(
            [("csv", "CSV (opens in Excel)"), ("xlsx", "Excel workbook (XLSX)")]
        ),
        default="csv",
        validators=[DataRequired("Choose a format")],
    )
    submit = SubmitField("Download", widget=GovSubmitInput())


class PackForm(FlaskForm):
    format = RadioField(
        "Format",
        widget=GovRadioInput(),
        choices=choices([("docx", "Word document"), ("md", "Markdown")]),
        default="docx",
        validators=[DataRequired("Choose a format")],
    )
    submit = SubmitField("Download the pack", widget=GovSubmitInput())
