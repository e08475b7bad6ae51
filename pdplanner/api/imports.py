"""/api/v1: what district admins import, as on the Roster and Frameworks pages: a roster (a
preview, then the import) and a framework file. The same readers, preview and services."""

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import Role
from pdplanner.api import schemas
from pdplanner.api.views import answers, bp, caller, one_transaction
from pdplanner.database import reads_only_from_here
from pdplanner.extensions import db
from pdplanner.framework.exchange import import_framework_file, upload_content
from pdplanner.organisation.roster import apply, queries, read
from pdplanner.permissions import role_required

admin_only = role_required(Role.DISTRICT_ADMIN)
described = schemas.described


# -- schemas --------------------------------------------------------------------------------

class RosterUploadSchema(ma.Schema):
    file = Upload(required=True, **described(
        "A simple CSV (email, given name, family name, role, school code, coach email) or a "
        "OneRoster 1.1 / 1.2 bundle as a .zip of its CSV files."))


class RosterArgs(ma.Schema):
    partial = fields.Boolean(load_default=False, **described(
        "The simple CSV lists only some people: nobody is deactivated. A OneRoster bundle says "
        "this itself (a manifest with users as `delta`, or none)."))


class RosterPersonSchema(ma.Schema):
    file = fields.String()
    line = fields.Integer()
    email = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    roles = fields.String(attribute="roles_text", **described("The roles they hold afterwards."))
    changes = fields.List(fields.String(), **described("For an update: what changes."))


class DepartureSchema(ma.Schema):
    email = fields.String()
    name = fields.String()
    reason = fields.String()


class RejectionSchema(ma.Schema):
    file = fields.String()
    line = fields.Integer()
    reason = fields.String(**described("Names the field and the value."))


class NewSchoolSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    sourced_id = fields.String(allow_none=True)


class RosterPreviewSchema(ma.Schema):
    format = fields.String(**described("The format read: the simple CSV, OneRoster 1.1 or 1.2."))
    full = fields.Boolean(**described("A full roster deactivates the people it leaves out."))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), **described(
        "created, updated, deactivated, unchanged, rejected, skipped, schools_created"))
    creates = fields.List(fields.Nested(RosterPersonSchema))
    updates = fields.List(fields.Nested(RosterPersonSchema))
    deactivations = fields.List(fields.Nested(DepartureSchema))
    rejected = fields.List(fields.Nested(RejectionSchema))
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer(), **described(
        "Rows left out by role (students, guardians, parents ...), counted."))
    new_schools = fields.List(fields.Nested(NewSchoolSchema))
    notes = fields.List(fields.String())


class RosterImportSchema(RosterPreviewSchema):
    mailed = fields.Integer(**described("Set-password links mailed to the people created."))
    not_mailed = fields.List(fields.String(), **described(
        "Emails of people created whose link could not be mailed (the mail server refused or "
        "was unreachable): they exist, and a district admin can send each a new link."))


class FrameworkUploadSchema(ma.Schema):
    file = Upload(required=True, **described(
        "A CASE package (JSON, 1.0 or 1.1) or a pdplanner framework (YAML or JSON)."))


class FrameworkImportSchema(ma.Schema):
    framework = fields.Nested(schemas.FrameworkSummarySchema)
    status = fields.String(**described(
        "created; new version (changed content under a slug already here: stored versions are "
        "never edited); or unchanged (exactly this content is already here)."))
    read_as = fields.String(**described("case or native"))


# -- rosters --------------------------------------------------------------------------------

def roster_of(upload, partial: bool) -> read.Roster:
    _, _, bundle = read.checked_upload(upload)
    return read.read_roster(bundle, partial=partial)


@bp.route("/roster/preview", methods=["POST"], tags=["Rosters"])
@admin_only
@bp.arguments(RosterArgs, location="query")
@bp.arguments(RosterUploadSchema, location="files")
@bp.response(200, RosterPreviewSchema)
@answers(401, 404)
def roster_preview(args, files):
    """What importing this roster into the caller's district would change: people to create,
    update and deactivate, and every rejected row with its file, line and reason. Nothing is
    written."""
    reads_only_from_here(db.session)   # no write lock while parsing and reading
    with one_transaction():
        roster = roster_of(files["file"], args["partial"])
        return queries.roster_preview(caller().district, roster, caller())


@bp.route("/roster/import", methods=["POST"], tags=["Rosters"])
@admin_only
@bp.arguments(RosterArgs, location="query")
@bp.arguments(RosterUploadSchema, location="files")
@bp.response(200, RosterImportSchema)
@answers(401, 404, 409)
def roster_import(args, files):
    """Import a roster in one transaction (all or nothing): what its preview shows is written;
    rejected rows change nothing; people a full roster leaves out are deactivated, never
    deleted. The same file again changes nothing. New people are mailed a set-password link."""
    # The token's last use is committed first: the import's write transaction (and SQLite's
    # write lock) begins after the file is parsed, and ends before the invitations are mailed.
    db.session.commit()
    with one_transaction():   # writes nothing: it answers a roster that cannot be read
        roster = roster_of(files["file"], args["partial"])
    with one_transaction():
        outcome = apply.apply_roster(caller().district, roster, actor=caller())
    unsent = accounts.mail_invitations(outcome.invitations)
    return {**RosterPreviewSchema().dump(outcome.preview),
            "mailed": len(outcome.invitations) - len(unsent), "not_mailed": unsent}


# -- frameworks -----------------------------------------------------------------------------

@bp.route("/frameworks", methods=["POST"], tags=["Frameworks"])
@admin_only
@bp.arguments(FrameworkUploadSchema, location="files")
@bp.response(201, FrameworkImportSchema)
@bp.alt_response(200, schema=FrameworkImportSchema, description="Exactly this content is already here.")
@answers(401, 404)
def import_framework(files):
    """Import a framework file as the caller's district's own framework (201), or find it
    already here (200)."""
    upload = files["file"]
    with one_transaction():
        kind, outcome = import_framework_file(upload.filename or "", upload_content(upload),
                                              district_id=caller().district_id, actor=caller())
    answer = {"framework": outcome.framework, "status": outcome.status, "read_as": kind}
    return answer, 200 if outcome.status == "unchanged" else 201

