"""The audit viewer for administrators, and its CSV export (itself audited)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from portal.access import Permission, requires
from portal.audit import forms, labels, service
from portal.db import get_session, read_session
from portal.downloads import attachment
from portal.export_formats import csv_rows
from portal.formkit import db_id
from portal.transaction import writes

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("")
@requires(Permission.VIEW_AUDIT)
def index() -> Any:
    form = forms.AuditFilterForm(request.args)
    filters = form.filters()
    events, next_before = service.list_events(
        get_session(), filters, request.args.get("before", type=db_id)
    )
    return render_template(
        "audit/index.html",
        form=form,
        events=events,
        actors=labels.actor_names(get_session(), events),
        reason_label=labels.reason_label,
        subjects=labels.SUBJECTS,
        next_before=next_before,
        total=service.count_events(get_session(), filters),
        export=forms.ExportForm(),
    )


@bp.route("/export", methods=["POST"])
@requires(Permission.VIEW_AUDIT)
@writes
def export() -> Any:
    if not forms.ExportForm().validate_on_submit():
        return redirect(url_for("audit.index"))
    filters = forms.AuditFilterForm(request.form).filters()
    session = get_session()
    rows = service.count_events(session, filters)
    service.record_export(session, current_user._get_current_object(), filters, rows)
    reader = read_session()

    def generate() -> Any:
        try:
            yield from csv_rows(
                service.EXPORT_HEADER, service.export_rows(reader, filters)
            )
        finally:
            reader.close()

    return attachment(stream_with_context(generate()), "audit", "csv")
