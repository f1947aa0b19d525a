"""Audit viewer filters (shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from portal.audit.service import AuditAction, AuditFilters
from portal.formkit import choices
from portal.sanitise import single_line


class AuditFilterForm(FlaskForm):
    """Read from the query string for viewing and posted for exporting."""

    class Meta:
        csrf = False  # a GET filter; the export button posts with its own token

    action = SelectField(
        "Action",
        widget=GovSelect(),
        choices=choices(
            [
                ("", "Any action"),
                *((a.value, a.value.replace("_", " ")) for a in AuditAction),
            ]
        ),
        validate_choice=False,
    )
    actor_email = StringField(
        "Done by (email)", widget=GovTextInput(), validators=[Length(max=254)]
    )
    subject_id = StringField(
        "Subject id", widget=GovTextInput(), validators=[Length(max=64)]
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def filters(self) -> AuditFilters:
        action = (
            self.action.data
            if self.action.data in {a.value for a in AuditAction}
            else None
        )
        # Read without validation (a GET filter), so shaped here: one line, and
        # no longer than the fields allow.
        return AuditFilters(
            action=action,
            actor_email=single_line(self.actor_email.data)[:254] or None,
            subject_id=single_line(self.subject_id.data)[:64] or None,
        )


class ExportForm(FlaskForm):
    submit = SubmitField("Download as CSV", widget=GovSubmitInput())
