"""The council-editable notice texts (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from portal.pages.notices import LABELS

HINT = (
    "Bold with **two stars**, lists with lines starting - , links as "
    "[words](https://address)."
)


def _text(key: str) -> TextAreaField:
    return TextAreaField(
        LABELS[key],
        description=HINT,
        widget=GovCharacterCount(),
        validators=[Length(max=4000, message="Must be 4000 characters or fewer")],
    )


class NoticesForm(FlaskForm):
    privacy_contact = _text("privacy_contact")
    privacy_extra = _text("privacy_extra")
    accessibility_contact = _text("accessibility_contact")
    accessibility_extra = _text("accessibility_extra")
    submit = SubmitField("Save", widget=GovSubmitInput())
