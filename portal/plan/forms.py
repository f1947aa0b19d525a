"""Plan action form (shape only)."""

from __future__ import annotations

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
from wtforms.validators import DataRequired, Length

from portal.formkit import SafeGovDateInput, choices
from portal.models import ActionStatus


class ActionForm(FlaskForm):
    action = TextAreaField(
        "What will be done",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Describe what will be done"),
            Length(max=2000, message="Must be 2000 characters or fewer"),
        ],
    )
    lead_officer = StringField(
        "Lead officer",
        description="A role and name, for example Head of Service, Children in Need.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the lead officer"), Length(max=120)],
    )
    start_date = DateField(
        "Start date",
        description="Progress is judged against a straight line from the start "
        "date to the target date. For example, 1 4 2016",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired("Enter the start date, like 1 4 2016")],
    )
    target_date = DateField(
        "Target date",
        description="For example, 31 3 2016",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired("Enter the target date, like 31 3 2016")],
    )
    success_measure = TextAreaField(
        "How success will be measured",
        description="Quantitative and qualitative evidence that practice has improved.",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter how success will be measured"),
            Length(max=2000, message="Must be 2000 characters or fewer"),
        ],
    )
    status = RadioField(
        "Status",
        description="Once the board has progress for an action, its status and "
        "its completion are recorded as quarterly updates on the board.",
        widget=GovRadioInput(),
        choices=choices((s.value, s.label) for s in ActionStatus),
        default=ActionStatus.NOT_STARTED.value,
        validators=[DataRequired("Select a status")],
    )
    evidence_ids = SelectMultipleField(
        "Staff input that supports this action",
        description="Approved input tagged to this recommendation.",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())


class PlanExportForm(FlaskForm):
    format = RadioField(
        "Format",
        widget=GovRadioInput(),
        choices=choices([("docx", "Word document"), ("xlsx", "Excel workbook (XLSX)")]),
        default="docx",
        validators=[DataRequired("Choose a format")],
    )
    submit = SubmitField("Download the plan", widget=GovSubmitInput())
