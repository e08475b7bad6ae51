"""The audit log for district admins: their district's events, filtered and paged, in words,
and the same filter as a CSV or JSON download."""

import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from pdplanner.accounts.models import Role
from pdplanner.audit import queries
from pdplanner.audit.forms import AuditFilterForm
from pdplanner.audit.services import record
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.permissions import role_required
from pdplanner.reports import exports

bp = Blueprint("audit", __name__)

admin_only = role_required(Role.DISTRICT_ADMIN)
PER_PAGE = 50


def _filter_form() -> AuditFilterForm:
    return AuditFilterForm(formdata=request.args, district_id=current_user.district_id)


@bp.get("/audit")
@admin_only
def log():
    form = _filter_form()
    if not form.validate():
        return render_template("audit/log.html", form=form, rows=[], pagination=None), 400
    only = form.audit_filter()
    pagination = db.paginate(queries.district_events(current_user.district_id, only),
                             page=form.page.data or 1, per_page=PER_PAGE, error_out=False)
    rows = queries.event_rows(list(pagination.items), current_user.district_id)
    return render_template("audit/log.html", form=form, rows=rows, pagination=pagination)


def _export(extension: str, render) -> Response | tuple:
    form = _filter_form()
    if not form.validate():
        return render_template("audit/log.html", form=form, rows=[], pagination=None), 400
    only = form.audit_filter()
    rows = queries.export_rows(current_user.district_id, only)
    body = render(rows, only)
    record("export.downloaded", actor=current_user, district_id=current_user.district_id,
           file=f"audit.{extension}", scope="district", rows=len(rows))
    db.session.commit()
    name = exports.safe_file_name(f"pdplanner-{current_user.district.code}-audit-{utcnow():%Y-%m-%d}")
    mimetype = exports.CSV_MIMETYPE if extension == "csv" else "application/json"
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@bp.get("/audit/export.csv")
@admin_only
def export_csv():
    table = exports.AUDIT_EVENTS
    return _export("csv", lambda rows, only: exports.to_csv(table, exports.frame(table, rows)))


@bp.get("/audit/export.json")
@admin_only
def export_json():
    def document(rows, only: queries.AuditFilter) -> str:
        district = current_user.district
        return exports.to_json({
            "format": "pdplanner-audit-log", "version": 1, "generated_at": exports.iso(utcnow()),
            "district": {"id": district.id, "code": district.code, "name": district.name},
            "filter": {"person_id": only.person_id, "kind": only.kind, "since": only.since,
                       "until": only.until},
            "events": [row | {"details": json.loads(row["details"])} for row in rows],
        })
    return _export("json", document)
