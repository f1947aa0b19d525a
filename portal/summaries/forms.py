"""Summary narrative form (shape only; the service sanitises)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

FORMATTING = (
    "You can use <strong>bold</strong>, <em>emphasis</em>, lists (<ul>, <ol>, <li>), "
    "paragraphs and links. Anything else is removed."
)


class NoteForm(FlaskForm):
    key_messages = TextAreaField(
        "Key messages",
        description=FORMATTING,
        widget=GovCharacterCount(),
        validators=[
            Length(max=6000, message="Key messages must be 6000 characters or fewer")
        ],
    )
    questions = TextAreaField(
        "Questions for the seminar",
        widget=GovCharacterCount(),
        validators=[
            Length(max=6000, message="Questions must be 6000 characters or fewer")
        ],
    )
    submit = SubmitField("Save narrative", widget=GovSubmitInput())
