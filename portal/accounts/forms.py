"""Forms check shape only (required, lengths, choices); rules live in the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from portal.formkit import choices, db_id
from portal.models import ROLE_LABELS, TeamKind

ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]
ROLE_HINTS = {
    "contributor": "Gives input on the areas for improvement",
    "moderator": "Approves, rejects and redacts input",
    "planner": "Tags input, builds summaries and drafts the plan",
    "admin": "Manages accounts, teams and the framework",
    "safeguarding_lead": "Reviews input that may be a safeguarding disclosure",
}
NO_TEAM = ""


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), Length(max=256)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password"), Length(max=256)],
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few random words make a strong one.",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter a new password"), Length(max=256)],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class _UserFields(FlaskForm):
    display_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's name"), Length(max=120)],
    )
    team_id = SelectField("Team or service", widget=GovSelect(), default=NO_TEAM)
    roles = SelectMultipleField(
        "Roles",
        description="Select all that apply.",
        widget=GovCheckboxesInput(),
        choices=choices(ROLE_CHOICES),
        validators=[DataRequired("Select at least one role")],
    )

    def set_team_choices(self, teams: list[tuple[int, str]]) -> None:
        self.team_id.choices = choices(
            [(NO_TEAM, "No team"), *((str(i), name) for i, name in teams)]
        )

    def team_value(self) -> int | None:
        value = self.team_id.data
        return db_id(value)


class NewUserForm(_UserFields):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class EditUserForm(_UserFields):
    independent_moderator = BooleanField(
        "Independent moderator: also moderates anonymous input on areas about "
        "management, from any team",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A POST-only button (disable, enable, reset password, sign out)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a name"), Length(max=120)],
    )
    kind = RadioField(
        "Type",
        widget=GovRadioInput(),
        choices=choices([(TeamKind.TEAM, "Team"), (TeamKind.SERVICE, "Service")]),
        default=TeamKind.TEAM.value,
        validators=[DataRequired("Select team or service")],
    )
    retired = BooleanField(
        "Retired (no longer offered in lists; kept for past records)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NameForm(FlaskForm):
    """Add or rename a role group."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a name"), Length(max=120)],
    )
    submit = SubmitField("Add", widget=GovSubmitInput())
