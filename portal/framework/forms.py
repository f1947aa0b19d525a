"""Framework editing forms (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.formkit import choices, db_id
from portal.models import Addressee

TEXT_LIMIT = 4000
EXAMPLES_LIMIT = 20000


class AreaForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a title"), Length(max=300)],
    )
    description = TextAreaField(
        "Description",
        description="What staff should know about this area before they comment.",
        widget=GovCharacterCount(),
        validators=[
            Length(
                max=TEXT_LIMIT, message="Description must be 4000 characters or fewer"
            )
        ],
    )
    about_management = BooleanField(
        "This area is about managers: its anonymous input goes only to independent "
        "moderators, not to the writers' own managers",
        widget=GovCheckboxInput(),
    )
    examples = TextAreaField(
        "Example comments",
        description="One per line: things staff might write about this area. They "
        "help suggest tags before anything has been tagged, and are never shown to "
        "staff giving input.",
        widget=GovCharacterCount(),
        validators=[
            Length(
                max=EXAMPLES_LIMIT,
                message=f"Example comments must be {EXAMPLES_LIMIT} characters or "
                "fewer",
            )
        ],
    )
    submit = SubmitField("Save area", widget=GovSubmitInput())


class RecommendationForm(FlaskForm):
    code = StringField(
        "Code",
        description="A short reference such as LA-R3.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a code"), Length(max=32)],
    )
    text = TextAreaField(
        "Recommendation",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter the recommendation's text"),
            Length(
                max=TEXT_LIMIT,
                message="Recommendation must be 4000 characters or fewer",
            ),
        ],
    )
    addressed_to = RadioField(
        "Addressed to",
        widget=GovRadioInput(),
        choices=choices((a.value, a.label) for a in Addressee),
        validators=[DataRequired("Select who the recommendation is addressed to")],
    )
    area_ids = SelectMultipleField(
        "Areas for improvement it answers",
        description="Select all that apply.",
        widget=GovCheckboxesInput(),
        validators=[DataRequired("Select at least one area for improvement")],
    )
    is_placeholder = BooleanField(
        "This is placeholder text, not the inspection's wording",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())

    def set_area_choices(self, areas: list[tuple[int, str]]) -> None:
        self.area_ids.choices = choices((str(i), label) for i, label in areas)

    def area_values(self) -> list[int]:
        return [i for v in self.area_ids.data or [] if (i := db_id(v)) is not None]


class RetireForm(FlaskForm):
    reason = StringField(
        "Why is it being retired?",
        description="For example: replaced by LA-R9 after the seminar.",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter why the recommendation is being retired"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Retire recommendation", widget=GovSubmitInput())


class ReinstateForm(FlaskForm):
    submit = SubmitField("Reinstate recommendation", widget=GovSubmitInput())
