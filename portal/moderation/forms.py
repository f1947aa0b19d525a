"""Moderation forms (shape only)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.formkit import choices, db_id
from portal.models import ANSWER_LABELS
from portal.moderation.redaction import REDACTION_REASONS
from portal.moderation.safeguarding import ACTIONS
from portal.moderation.service import PERSONAL_DATA_REASONS, REJECT_REASONS, Decision

DECISION_LABELS = {
    Decision.APPROVE: "Approve",
    Decision.REJECT: "Reject",
    Decision.RETURN: "Return to the author for changes",
    Decision.DUPLICATE: "Mark as a duplicate of another item",
    Decision.ESCALATE: "Escalate to the safeguarding lead",
}
# What the moderator is told once a decision is saved.
DECISION_DONE = {
    Decision.APPROVE: "Approved",
    Decision.REJECT: "Rejected",
    Decision.RETURN: "Returned to its author for changes",
    Decision.DUPLICATE: "Marked as a duplicate",
    Decision.ESCALATE: "Sent to the safeguarding lead",
}
NOTE_LIMIT = 2000


def _reason_choices() -> Any:
    return choices([("", "Select a reason"), *REJECT_REASONS.items()])


class DecisionForm(FlaskForm):
    seen_status = HiddenField()
    seen_version = HiddenField()
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=choices(DECISION_LABELS.items()),
        validators=[DataRequired("Select a decision")],
    )
    # The service checks these (and says which is missing); an absent field is
    # not a "not a valid choice" error.
    reason = SelectField(
        "Reason for rejecting",
        widget=GovSelect(),
        choices=_reason_choices(),
        validate_choice=False,
    )
    duplicate_of = SelectField(
        "Duplicate of", widget=GovSelect(), choices=[], validate_choice=False
    )
    # Only asked for when the item may still hold personal data.
    personal_data_reason = SelectField(
        "Approve with personal data: why it can be used as it is",
        description="Only if redacting is not right. This is recorded in the "
        "audit trail.",
        widget=GovSelect(),
        choices=choices(
            [
                ("", "Select a reason (or redact it first)"),
                *PERSONAL_DATA_REASONS.items(),
            ]
        ),
        validate_choice=False,
    )
    note = TextAreaField(
        "Note",
        description="Required when returning input: the author sees it. Otherwise "
        "optional, and seen only by moderators and administrators.",
        widget=GovCharacterCount(),
        validators=[
            Length(max=NOTE_LIMIT, message="Note must be 2000 characters or fewer")
        ],
    )
    recommendation_ids = SelectMultipleField(
        "Recommendations",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    theme_ids = SelectMultipleField(
        "Themes", widget=GovCheckboxesInput(), choices=[], validate_choice=False
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class BulkForm(FlaskForm):
    item_ids = SelectMultipleField("Select items", choices=[], validate_choice=False)
    decision = RadioField(
        "Decision for the selected items",
        widget=GovRadioInput(),
        choices=choices([("approve", "Approve"), ("reject", "Reject")]),
        validators=[DataRequired("Select approve or reject")],
    )
    # The service checks these (and says which is missing); an absent field is
    # not a "not a valid choice" error.
    reason = SelectField(
        "Reason for rejecting",
        widget=GovSelect(),
        choices=_reason_choices(),
        validate_choice=False,
    )
    submit = SubmitField("Apply to selected items", widget=GovSubmitInput())


class RedactForm(FlaskForm):
    spans = SelectMultipleField(
        "Flagged personal data to redact",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    text_field = SelectField(
        "Answer",
        widget=GovSelect(),
        choices=choices([("", "Select an answer"), *ANSWER_LABELS.items()]),
        validators=[Optional()],
    )
    text = StringField(
        "Other text to redact",
        description="Copy the exact words from the answer. Every place they appear is "
        "replaced.",
        widget=GovTextInput(),
        validators=[Length(max=1000)],
    )
    reason = SelectField(
        "Why is it being redacted?",
        widget=GovSelect(),
        choices=choices([("", "Select a reason"), *REDACTION_REASONS.items()]),
        validators=[DataRequired("Select why it is being redacted")],
    )
    submit = SubmitField("Redact", widget=GovSubmitInput())

    def span_values(self) -> list[tuple[str, int, int]]:
        parsed = []
        for value in self.spans.data or []:
            field, _, rest = str(value).partition(":")
            start, _, end = rest.partition(":")
            first, last = db_id(start), db_id(end)
            if first is not None and last is not None:
                parsed.append((field, first, last))
        return parsed


class SafeguardingForm(FlaskForm):
    action = RadioField(
        "Action taken",
        widget=GovRadioInput(),
        choices=choices(ACTIONS.items()),
        validators=[DataRequired("Select the action taken")],
    )
    note = TextAreaField(
        "Note",
        description="For example the referral reference. Seen only by safeguarding "
        "leads and administrators.",
        widget=GovCharacterCount(),
        validators=[
            Length(max=NOTE_LIMIT, message="Note must be 2000 characters or fewer")
        ],
    )
    submit = SubmitField("Record action", widget=GovSubmitInput())
