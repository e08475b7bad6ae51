"""Report and export downloads (SPEC section 10): the same authorization as the pages, with a
signed-in session or a Bearer token."""

import re
import unicodedata
from datetime import date

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from pdplanner.api.auth import authenticate_bearer_token
from pdplanner.extensions import db
from pdplanner.permissions import can_see_ratings, get_plan_owner_or_404, guides, signed_in
from pdplanner.planning.queries import cycle_to_show, plan_of
from pdplanner.reports import queries, services
from pdplanner.reports.pdf import growth_plan_pdf

bp = Blueprint("reports", __name__)
# Downloads are for scripts too: a token signs its owner in for the request. GETs only, so
# CSRF does not come into it.
bp.before_request(authenticate_bearer_token)


def file_name(*parts: str, extension: str) -> str:
    """A safe ASCII file name: accents dropped, anything but letters and digits made a hyphen."""
    text = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") + f".{extension}"


def download(content: bytes, mimetype: str, name: str) -> Response:
    # Cache-Control: no-store comes with every non-static response (headers.py).
    disposition = f'attachment; filename="{name}"'
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


# -- PDF reports ------------------------------------------------------------------------------

@bp.get("/reports/educators/<int:educator_id>/growth-plan.pdf")
@signed_in
def growth_plan(educator_id: int):
    viewer = current_user._get_current_object()
    cycle = cycle_to_show(viewer.district_id, request.args.get("cycle", type=int)) or abort(404)
    educator = get_plan_owner_or_404(viewer, educator_id, cycle.id)
    ratings_visible = can_see_ratings(viewer, educator, cycle)
    content = queries.growth_plan(plan_of(educator, cycle), ratings_visible=ratings_visible,
                                  detail=ratings_visible or guides(viewer, educator, cycle.id))
    pdf = growth_plan_pdf(content, date.today())
    name = file_name("growth-plan", educator.name, cycle.name, extension="pdf")
    # End the reads' transaction before writing: on SQLite a GET's deferred transaction may not
    # be able to upgrade to a write (errors.record_denied_access does the same).
    db.session.rollback()
    services.record_download(viewer, educator, "growth-plan", cycle)
    db.session.commit()
    return download(pdf, "application/pdf", name)
