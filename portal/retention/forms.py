"""Forms for a person's rights over their data (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class AskErasureForm(FlaskForm):
    submit = SubmitField("Ask for my named input to be erased", widget=GovSubmitInput())


class CarryOutForm(FlaskForm):
    submit = SubmitField("Erase it now", widget=GovSubmitInput())
