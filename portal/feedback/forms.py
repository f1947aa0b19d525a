"""Feedback forms (shape only: lengths, choices). Rules are in the service."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
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

from portal.feedback.service import SESSION_TYPES, Answers, Context
from portal.formkit import SafeGovDateInput, choices, db_id

ANSWER_LIMIT = 4000
NOT_GIVEN = ""
PRIORITY_LABELS = [
    ("1", "1 – Hardly at all"),
    ("2", "2 – A little"),
    ("3", "3 – Somewhat"),
    ("4", "4 – A lot"),
    ("5", "5 – Very much"),
]
MODE_CHOICES = [
    ("named", "Give my name"),
    ("anonymous", "Stay anonymous"),
]


def _answer(label: str, hint: str) -> TextAreaField:
    message = f"{label.rstrip('?')} must be {ANSWER_LIMIT:,} characters or fewer"
    return TextAreaField(
        label,
        description=hint,
        widget=GovCharacterCount(),
        validators=[Length(max=ANSWER_LIMIT, message=message)],
    )


def new_form_token() -> str:
    return secrets.token_urlsafe(32)


class _AnswerFields(FlaskForm):
    # One-time token per form: a double click or resent form stores one item.
    form_token = HiddenField()
    obstacles = _answer(
        "What gets in the way today?",
        "What stops you or your team doing this well at the moment?",
    )
    biggest_difference = _answer(
        "What would make the biggest difference?",
        "Changes to practice, systems, training, resources or anything else.",
    )
    practice_example = _answer(
        "An example from practice",
        "Do not include anything that could identify a child, family or colleague: "
        "no names, dates of birth, addresses or case numbers.",
    )

    def ensure_token(self) -> None:
        if not self.form_token.data:
            self.form_token.data = new_form_token()

    def priority_value(self) -> int | None:
        raw = getattr(self, "priority", None)
        value = raw.data if raw is not None else None
        return db_id(value)

    def answers(self) -> Answers:
        return Answers(
            self.obstacles.data or "",
            self.biggest_difference.data or "",
            self.practice_example.data or "",
            self.priority_value(),
        )


class FeedbackForm(_AnswerFields):
    mode = RadioField(
        "Do you want to give your name?",
        widget=GovRadioInput(),
        choices=choices(MODE_CHOICES),
        # Nothing chosen until the writer chooses: nothing is autosaved before
        # "Give my name", so text meant to be anonymous is never stored as theirs.
        validators=[DataRequired("Select whether to give your name")],
    )
    priority = RadioField(
        "How much would improving this help children and families?",
        widget=GovRadioInput(),
        choices=choices(PRIORITY_LABELS),
        validators=[InputRequired("Select how much improving this would help")],
    )
    team_id = SelectField("Your team or service (optional)", widget=GovSelect())
    role_group_id = SelectField("Your role (optional)", widget=GovSelect())
    submit = SubmitField("Send your input", widget=GovSubmitInput())

    def set_context_choices(
        self, teams: list[tuple[int, str]], role_groups: list[tuple[int, str]]
    ) -> None:
        self.team_id.choices = choices(
            [(NOT_GIVEN, "Prefer not to say"), *((str(i), n) for i, n in teams)]
        )
        self.role_group_id.choices = choices(
            [(NOT_GIVEN, "Prefer not to say"), *((str(i), n) for i, n in role_groups)]
        )

    def context(self) -> Context:
        def as_id(value: object) -> int | None:
            return db_id(value)

        return Context(as_id(self.team_id.data), as_id(self.role_group_id.data))

    @property
    def anonymous(self) -> bool:
        return bool(self.mode.data == "anonymous")


class SessionForm(_AnswerFields):
    """Input gathered at a staff engagement session, recorded by the facilitator."""

    area_id = SelectField(
        "Area for improvement discussed",
        widget=GovSelect(),
        validators=[DataRequired("Select the area discussed")],
    )
    held_on = DateField(
        "Date of the session",
        description="For example, 27 11 2015",
        widget=SafeGovDateInput(),
        format="%d %m %Y",
        validators=[DataRequired("Enter the date of the session, like 27 11 2015")],
    )
    session_type = RadioField(
        "Type of session",
        widget=GovRadioInput(),
        choices=choices(SESSION_TYPES.items()),
        validators=[DataRequired("Select the type of session")],
    )
    attendees = IntegerField(
        "Number of attendees",
        description="Record the number only, never names.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the number of attendees"),
            NumberRange(2, 500, "Enter the number of attendees, from 2 to 500"),
        ],
    )
    priority = RadioField(
        "In the group's view, how much would improving this help children and "
        "families?",
        description="Optional. Leave blank if the group did not say.",
        widget=GovRadioInput(),
        choices=choices(PRIORITY_LABELS),
        validators=[Optional()],
    )
    submit = SubmitField("Record the session's input", widget=GovSubmitInput())

    def area_value(self) -> int | None:
        value = self.area_id.data
        return db_id(value)


class ReceiptForm(FlaskForm):
    code = StringField(
        "Receipt code",
        description="The code you were shown after sending anonymous input, "
        "for example ABCD-EFGH-JKLM-NPQR-STUV.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your receipt code"), Length(max=40)],
    )
    submit = SubmitField("Check status", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    code = HiddenField()
    # Set by the check page: withdrawing cannot be undone, so it is asked twice.
    confirmed = HiddenField()
    submit = SubmitField("Withdraw this input", widget=GovSubmitInput())

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class NoticeForm(FlaskForm):
    text = TextAreaField(
        "Notice shown on every feedback form",
        description="Include your front door (MASH) number and what to do in an "
        "emergency.",
        widget=GovCharacterCount(),
        validators=[DataRequired("Enter the notice text"), Length(max=1000)],
    )
    submit = SubmitField("Save notice", widget=GovSubmitInput())
