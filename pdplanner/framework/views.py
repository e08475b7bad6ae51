from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from pdplanner.accounts.models import Role
from pdplanner.framework.exchange import export_framework, import_framework_file
from pdplanner.framework.forms import ImportForm
from pdplanner.framework.queries import framework_for_browsing, visible_frameworks
from pdplanner.framework.services import FrameworkFormatError
from pdplanner.pages import attempt
from pdplanner.permissions import role_required, signed_in

bp = Blueprint("framework", __name__, url_prefix="/frameworks")


@bp.get("/")
@signed_in
def index():
    frameworks = visible_frameworks(current_user.district_id)
    if len(frameworks) == 1:
        return redirect(url_for(".show", framework_id=frameworks[0].id))
    return render_template("framework/index.html", frameworks=frameworks)


@bp.get("/<int:framework_id>")
@signed_in
def show(framework_id: int):
    framework = framework_for_browsing(current_user.district_id, framework_id)
    return render_template("framework/show.html", framework=framework)


@bp.get("/<int:framework_id>/about")
@signed_in
def about(framework_id: int):
    framework = framework_for_browsing(current_user.district_id, framework_id)
    return render_template("framework/about.html", framework=framework)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.DISTRICT_ADMIN)
def import_file():
    form = ImportForm()
    if form.validate_on_submit():
        with attempt(FrameworkFormatError, flash_refusal=False) as imported:
            imported.result = import_framework_file(form.file.data.filename or "", form.content,
                                                    district_id=current_user.district_id, actor=current_user)
        if imported.error:
            form.file.errors.append(f"{form.file.data.filename}: {imported.error}")
        else:
            kind, outcome = imported.result
            f = outcome.framework
            flash(f"{f.title}, version {f.version}: {IMPORT_OUTCOMES[outcome.status]} "
                  f"(read as {kind.upper()}).", "success")
            return redirect(url_for(".show", framework_id=f.id))
    return render_template("framework/import.html", form=form), 422 if form.errors else 200


IMPORT_OUTCOMES = {
    "created": "imported",
    "unchanged": "already here with exactly this content, so nothing changed",
    "new version": "imported as a new version; cycles keep the version they were created with",
}


def _download(framework_id: int, kind: str) -> Response:
    framework = framework_for_browsing(current_user.district_id, framework_id)
    body, name, mimetype = export_framework(framework, kind)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<int:framework_id>/export.case.json")
@signed_in
def export_case(framework_id: int):
    return _download(framework_id, "case")


@bp.get("/<int:framework_id>/export.yaml")
@signed_in
def export_native(framework_id: int):
    return _download(framework_id, "native")
