"""Report and export downloads (SPEC section 10): the same authorization as the pages.

Every route here is a GET and answers the signed-in session or a Bearer token (an API token),
as the API does. Being GETs, they change nothing a cross-site request could abuse, so CSRF is
not involved; CSRF on the site's forms is unchanged.
"""

import tempfile
from collections.abc import Iterable
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user
from werkzeug.wsgi import wrap_file

from pdplanner.accounts.models import Role
from pdplanner.api.auth import authenticate_bearer
from pdplanner.assessments.models import Cycle
from pdplanner.assessments.queries import cycles_of_district, schools_led_by
from pdplanner.dashboards.queries import leader_charts, leader_dashboard
from pdplanner.database import id_argument, utcnow
from pdplanner.extensions import db
from pdplanner.permissions import (
    can_see_rating_figures,
    deny,
    get_plan_owner_or_404,
    get_school_or_404,
    requested_cycle,
    role_required,
    signed_in,
)
from pdplanner.planning.queries import plan_of, planned_cycle
from pdplanner.reports import bundles, documents, exports, services
from pdplanner.reports.pdf import growth_plan_pdf, leader_report_pdf
from pdplanner.reports.rows import CYCLE_ROWS, ratings_chunks, ratings_count
from pdplanner.scopes import scope_label

bp = Blueprint("reports", __name__)
bp.before_request(authenticate_bearer)


# -- data exports: CSV, XLSX and zip ---------------------------------------------------------

MIMETYPES = {"csv": exports.CSV_MIMETYPE, "xlsx": exports.XLSX_MIMETYPE, "zip": exports.ZIP_MIMETYPE,
             "pdf": "application/pdf"}


def _requested_cycle(*, required: bool) -> Cycle | None:
    """?cycle=<id> (`requested_cycle`; 404 when it is there but empty), else the current cycle."""
    cycle_id = id_argument("cycle")
    if cycle_id is None and "cycle" in request.args:
        abort(404)
    cycle = requested_cycle(current_user, cycle_id)
    if cycle is None and required:
        abort(404, description="There is no assessment cycle yet, so there is nothing to export.")
    return cycle


def _download(body: bytes | Iterable[bytes], extension: str, stem: str) -> Response:
    name = f"{exports.safe_file_name(stem, 'pdplanner-export')}.{extension}"
    return Response(body, content_type=MIMETYPES[extension],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/exports")
@signed_in
def exports_page():
    return render_template("reports/exports.html", cycle=_requested_cycle(required=False),
                           cycles=cycles_of_district(current_user.district_id),
                           tables=list(exports.CYCLE_TABLES), roles=current_user.roles)


@bp.get("/exports/<any(ratings, goals, cohorts, participation):table>.<any(csv, xlsx):extension>")
@signed_in
def cycle_export(table: str, extension: str):
    """The ratings are counted for the audit record, then read a chunk at a time while the file
    is written: as a CSV it streams as it is produced (a district's first byte leaves before its
    last rating is read), as an XLSX it is written to a temporary file and sent from there. The
    other tables are a few rows per educator, read whole and sent as they are."""
    viewer, cycle = current_user._get_current_object(), _requested_cycle(required=True)
    spec = exports.CYCLE_TABLES[table]
    rows, chunks = _counted_chunks(viewer, cycle, table)
    services.record_download(viewer, f"{table}.{extension}", scope=scope_label(viewer), rows=rows,
                             cycle=cycle)
    db.session.commit()
    stem = f"pdplanner-{table}-{cycle.name}"
    if extension == "csv":
        pieces = exports.csv_chunks(spec, chunks)
        body = stream_with_context(pieces) if table == "ratings" else b"".join(pieces)
        return _download(body, extension, stem)
    return _xlsx_download(spec, chunks, stem)


def _counted_chunks(viewer, cycle: Cycle, table: str) -> tuple[int, Iterable]:
    """How many rows the export holds, and its chunks: the ratings' read a slice at a time."""
    if table == "ratings":
        return ratings_count(viewer, cycle), ratings_chunks(viewer, cycle)
    data = exports.frame(exports.CYCLE_TABLES[table], CYCLE_ROWS[table](viewer, cycle))
    return len(data), [exports.columns(data)]


def _xlsx_download(spec, chunks: Iterable, stem: str) -> Response:
    file = tempfile.TemporaryFile()   # noqa: SIM115 (the response closes it once sent)
    try:
        exports.write_xlsx(file, spec, chunks)
    except BaseException:
        file.close()   # the error page is sent instead: the half-written file goes now
        raise
    size = file.tell()
    file.seek(0)
    response = _download(wrap_file(request.environ, file), "xlsx", stem)
    response.content_length = size
    return response


@bp.get("/me/data.zip")
@signed_in
def my_data():
    bundle = bundles.my_data(current_user)
    services.record_download(current_user, "data.zip", scope="own", rows=len(bundle.names),
                             subject=current_user)
    db.session.commit()
    return _download(bundle.to_bytes(), "zip", f"pdplanner-my-data-{utcnow():%Y-%m-%d}")


@bp.get("/exports/district.zip")
@role_required(Role.DISTRICT_ADMIN)
def district_export():
    bundle, counts = bundles.district_export(current_user)
    services.record_download(current_user, "district.zip", scope="district", rows=counts)
    db.session.commit()
    return _download(bundle.to_bytes(), "zip",
                     f"pdplanner-{current_user.district.code}-export-{utcnow():%Y-%m-%d}")


# -- PDF reports ------------------------------------------------------------------------------

@bp.get("/reports/educators/<int:educator_id>/growth-plan.pdf")
@signed_in
def growth_plan(educator_id: int):
    viewer = current_user._get_current_object()
    cycle = requested_cycle(viewer, id_argument("cycle"), planned_cycle) or abort(404)
    educator = get_plan_owner_or_404(viewer, educator_id, cycle.id)
    pdf = growth_plan_pdf(documents.growth_plan(plan_of(educator, cycle, viewer)), date.today())
    stem = f"growth-plan-{educator.name}-{cycle.name}"
    # End the reads' transaction before writing: on SQLite a GET's deferred transaction may not
    # be able to upgrade to a write (errors.record_denied_access does the same).
    db.session.rollback()
    services.record_report_download(viewer, educator, "growth-plan", cycle)
    db.session.commit()
    return _download(pdf, "pdf", stem)


def _leader_pdf(board, file: str, stem: str, subject) -> Response:
    pdf = leader_report_pdf(documents.leader_report(board, leader_charts(board)), date.today())
    services.record_download(current_user, file, scope=stem, rows=board.measures.educators,
                             cycle=board.cycle, subject=subject)
    db.session.commit()   # the audit event, and any school summary computed for this report
    return _download(pdf, "pdf", f"{stem}-{board.cycle.name}")


@bp.get("/reports/schools/<int:school_id>/readiness.pdf")
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
def school_readiness(school_id: int):
    school = get_school_or_404(current_user, school_id)
    board = leader_dashboard(_requested_cycle(required=True), [school],
                             ratings=can_see_rating_figures(current_user, school))
    return _leader_pdf(board, "readiness.pdf", f"readiness-{school.name}", school)


@bp.get("/reports/districts/<int:district_id>/summary.pdf")
@role_required(Role.DISTRICT_ADMIN)
def district_summary(district_id: int):
    if district_id != current_user.district_id:
        deny("district", district_id)
    cycle = _requested_cycle(required=True)
    board = leader_dashboard(cycle, schools_led_by(current_user), whole_district=True)
    return _leader_pdf(board, "summary.pdf", f"district-summary-{current_user.district.code}",
                       current_user.district)
