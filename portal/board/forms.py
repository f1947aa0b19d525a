"""Board monitoring forms (shape only; the rules are in the services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.board.progress import USE_SUGGESTION
from portal.formkit import SafeGovDateInput, choices
from portal.models import ActionStatus, EvidenceKind, Rag
from portal.uploads import ACCEPT

LONG = 4000
TOO_LONG = f"Must be {LONG} characters or fewer"


def _text(label: str, required: str | None, hint: str | None = None) -> TextAreaField:
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=hint or "",
        widget=GovCharacterCount(),
        validators=[*validators, Length(max=LONG, message=TOO_LONG)],
    )


def _date(label: str, required: str | None, hint: str) -> DateField:
    return DateField(
        label,
        description=hint,
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired(required)] if required else [Optional()],
    )


class UpdateForm(FlaskForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices((s.value, s.label) for s in ActionStatus),
        validators=[DataRequired("Select a status")],
    )
    percent_complete = IntegerField(
        "How complete is the action, as a percentage?",
        description="A whole number from 0 to 100.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how complete the action is, from 0 to 100"),
            NumberRange(0, 100, "Enter how complete the action is, from 0 to 100"),
        ],
    )
    rag_choice = RadioField(
        "Progress rating",
        widget=GovRadioInput(),
        choices=choices(
            [(USE_SUGGESTION, "Use the suggested rating")]
            + [(r.value, r.label) for r in Rag]
        ),
        default=USE_SUGGESTION,
        validators=[DataRequired("Choose a rating")],
    )
    reason = _text(
        "Reason for the rating",
        None,
        "Needed for amber, red, a change to the suggested rating, and a completion.",
    )
    commentary = _text(
        "Commentary for this quarter",
        "Enter this quarter's commentary",
        "What was done this quarter and what it changed.",
    )
    remedial_step = _text(
        "Remedial step",
        None,
        "Needed when the action is past its target date: what will bring it back "
        "on track, by whom and by when.",
    )
    submit = SubmitField("Record the update", widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    kind = RadioField(
        "Kind of evidence",
        widget=GovRadioInput(),
        choices=choices((k.value, k.label) for k in EvidenceKind),
        validators=[DataRequired("Choose the kind of evidence")],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a title for the evidence"), Length(max=200)],
    )
    effective_on = _date(
        "Date the evidence is about",
        "Enter the date the evidence is about, like 30 6 2016",
        "When it was true of practice, for example the date of the audit. "
        "For example, 30 6 2016",
    )
    action_id = SelectField(
        "Action it relates to (optional)",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
    )
    round_id = SelectField(
        "Engagement round (staff voice only)",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
    )
    description = _text("Description (optional)", None)
    link = StringField(
        "Link (optional)",
        description="For example, https://intranet.example/audit-report",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=2000)],
    )
    file = FileField(
        "File (optional)",
        description="PDF, DOCX, XLSX, CSV, PNG or JPEG, smaller than 10 MB.",
        widget=GovFileInput(),
        render_kw={"accept": ACCEPT},
    )
    submit = SubmitField("Add the evidence", widget=GovSubmitInput())


class SignOffForm(FlaskForm):
    evidence_ids = SelectMultipleField(
        "Evidence relied on",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    reason = _text("Reason for the sign-off", "Enter the reason for the sign-off")
    practice_checked_by = StringField(
        "Who independently checked practice",
        description="Phase 2 only. A role and name.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=120)],
    )
    practice_checked_on = _date(
        "When practice was checked", None, "Phase 2 only. For example, 30 9 2016"
    )
    practice_check = _text(
        "What the practice check tested",
        None,
        "Phase 2 only. For example: audit of 40 case files against the standard.",
    )
    submit = SubmitField("Sign off", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    """Withdrawing a sign-off, closing a risk."""

    reason = _text("Reason", "Enter the reason")
    submit = SubmitField("Confirm", widget=GovSubmitInput())


def _level(label: str) -> RadioField:
    # The service checks the level and says which one is missing.
    return RadioField(label, widget=GovRadioInput(), choices=[], validate_choice=False)


class RiskForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a short title for the risk"), Length(max=200)],
    )
    owner = StringField(
        "Risk owner",
        description="A role and name.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the risk owner"), Length(max=120)],
    )
    description = _text("Description", "Describe the risk")
    cause = _text("Cause", "Enter the cause")
    effect = _text("Effect", "Enter the effect")
    existing_controls = _text(
        "Existing controls",
        "Enter the existing controls, or 'None'",
        "What already reduces the risk.",
    )
    mitigating_actions = _text(
        "Mitigating actions",
        "Enter the mitigating actions, or 'None'",
        "What is still to be done to bring it to its target score.",
    )
    inherent_likelihood = _level("Likelihood")
    inherent_impact = _level("Impact")
    current_likelihood = _level("Likelihood")
    current_impact = _level("Impact")
    target_likelihood = _level("Likelihood")
    target_impact = _level("Impact")
    rationale = _text(
        "Rationale for the current score",
        None,
        "Needed for a new risk, a changed current score, and the first review "
        "each quarter.",
    )
    review_on = _date(
        "Next review date",
        "Enter the next review date, like 30 9 2016",
        "For example, 30 9 2016",
    )
    recommendation_ids = SelectMultipleField(
        "Recommendations it threatens",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    action_ids = SelectMultipleField(
        "Plan actions it threatens",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Save the risk", widget=GovSubmitInput())

    def set_levels(self, likelihood: tuple[str, ...], impact: tuple[str, ...]) -> None:
        for which in ("inherent", "current", "target"):
            getattr(self, f"{which}_likelihood").choices = choices(
                (str(n), f"{n}: {label}") for n, label in enumerate(likelihood, 1)
            )
            getattr(self, f"{which}_impact").choices = choices(
                (str(n), f"{n}: {label}") for n, label in enumerate(impact, 1)
            )


class RequestForm(FlaskForm):
    question = _text(
        "What should the report cover?", "Enter what the report should cover"
    )
    due_on = _date(
        "Due date", "Enter a due date in the future, like 30 9 2016",
        "For example, 30 9 2016",
    )  # fmt: skip
    submit = SubmitField("Request the report", widget=GovSubmitInput())


class AnswerForm(FlaskForm):
    answer = _text("Report", "Enter the report")
    submit = SubmitField("Send the report", widget=GovSubmitInput())


class FreezeForm(FlaskForm):
    quarter = RadioField(
        "Quarter to freeze",
        widget=GovRadioInput(),
        choices=[],
        validators=[DataRequired("Choose a quarter")],
    )
    submit = SubmitField("Freeze the quarter", widget=GovSubmitInput())
