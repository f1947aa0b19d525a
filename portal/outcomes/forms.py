"""Forms for publishing "You said, we did" and choosing the digest (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, DateField, SubmitField

from portal.formkit import SafeGovDateInput


class PublishForm(FlaskForm):
    next_update_on = DateField(
        "Date of the next update",
        description="When staff can expect the next one. For example, 31 3 2017",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
    )
    submit = SubmitField("Publish to all staff", widget=GovSubmitInput())


class DigestForm(FlaskForm):
    opt_in = BooleanField(
        "Email me a quarterly digest about my named input",
        description="How many of the items you gave with your name were used, and "
        "where to look. It never mentions anyone else's input, or input you gave "
        "anonymously.",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
