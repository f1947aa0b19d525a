"""Tagging forms (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.formkit import choices, db_id
from portal.models import ANSWER_LABELS


def ids(values: list[str] | None) -> frozenset[int]:
    return frozenset(i for v in values or [] if (i := db_id(v)) is not None)


class TagForm(FlaskForm):
    recommendation_ids = SelectMultipleField(
        "Recommendations",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    theme_ids = SelectMultipleField(
        "Themes", widget=GovCheckboxesInput(), choices=[], validate_choice=False
    )
    submit = SubmitField("Save tags", widget=GovSubmitInput())


class SuggestionForm(FlaskForm):
    key = HiddenField()


class QuoteForm(FlaskForm):
    field = SelectField(
        "Answer",
        widget=GovSelect(),
        choices=choices([("", "Select the answer"), *ANSWER_LABELS.items()]),
        validate_choice=False,
    )
    text = StringField(
        "Words to quote",
        description="Copy them exactly from the answer.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the words to quote"), Length(max=1000)],
    )
    submit = SubmitField("Add quote", widget=GovSubmitInput())


class BulkTagForm(FlaskForm):
    item_ids = SelectMultipleField("Select items", choices=[], validate_choice=False)
    recommendation_id = SelectField(
        "Add recommendation", widget=GovSelect(), choices=[], validate_choice=False
    )
    theme_id = SelectField(
        "Add theme", widget=GovSelect(), choices=[], validate_choice=False
    )
    submit = SubmitField("Tag selected items", widget=GovSubmitInput())


class ThemeForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a name"), Length(max=120)],
    )
    description = TextAreaField(
        "Description",
        description="What belongs here. It also helps the suggestions.",
        widget=GovCharacterCount(),
        validators=[
            Length(max=1000, message="Description must be 1000 characters or fewer")
        ],
    )
    parent_id = SelectField(
        "Parent theme", widget=GovSelect(), choices=[], validate_choice=False
    )
    retired = BooleanField(
        "Retired (not offered for new tags)", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save theme", widget=GovSubmitInput())


class MergeForm(FlaskForm):
    target_id = SelectField(
        "Merge into", widget=GovSelect(), choices=[], validate_choice=False
    )
    submit = SubmitField("Merge themes", widget=GovSubmitInput())


class GlossaryForm(FlaskForm):
    abbreviation = StringField(
        "Abbreviation",
        description="As staff write it, for example RHI",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the abbreviation"),
            Length(max=16, message="Abbreviation must be 16 characters or fewer"),
        ],
    )
    expansion = StringField(
        "What it stands for",
        description="For example: return home interview",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter what it stands for"),
            Length(max=200, message="This must be 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
