"""/api/v1: the district's people and schools, as on the People, Schools and Roster pages:
educators (the teachers and coaches the caller may see), people (list, detail; for district
admins: create, roles, coaches, (de)activate, delete, set-password links), schools, and roster
imports (a preview, then the import). The same services, queries and rules as the pages."""

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from sqlalchemy import select

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import EDUCATOR_ROLES, ROLE_RANK, SCHOOL_ROLES, Role, User
from pdplanner.api.plumbing import (
    PageArgs,
    Routes,
    caller,
    checked_first,
    described,
    envelope,
    one_transaction,
    page_of,
    page_of_list,
    problem,
    row_id,
)
from pdplanner.api.schemas import PersonSchema, SchoolRefSchema
from pdplanner.assessments.evidence import remove_evidence_files
from pdplanner.database import reads_only_from_here
from pdplanner.extensions import db
from pdplanner.organisation import queries, services
from pdplanner.organisation.models import Membership, School
from pdplanner.organisation.roster import apply, read
from pdplanner.organisation.roster import queries as roster_queries
from pdplanner.permissions import get_person_or_404, role_required, signed_in, visible_people_query

admin_only = role_required(Role.DISTRICT_ADMIN)

routes = Routes()


# -- schemas --------------------------------------------------------------------------------

class EducatorSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True, **described("The widest educator role held."))
    school = fields.String(allow_none=True, **described("The code of the school of that role."))
    coach = fields.String(allow_none=True, **described("The email of the (first) coach."))
    coaches = fields.List(fields.String(), **described("The emails of all their coaches."))


class PeopleArgs(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      **described("Part of a name or email."))
    school = row_id("Only people of this school.", load_default=None)
    inactive = fields.Boolean(load_default=False, **described("Include deactivated people."))


class MembershipSchema(ma.Schema):
    school = fields.Nested(SchoolRefSchema)
    role = fields.Enum(Role, by_value=True)


class PersonDetailSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    role = fields.Enum(Role, by_value=True, allow_none=True, **described("The widest role held."))
    district_admin = fields.Boolean(attribute="is_district_admin")
    active = fields.Boolean()
    memberships = fields.List(fields.Nested(MembershipSchema), **described("A role in each school."))
    coaches = fields.List(fields.Nested(PersonSchema))
    caseload = fields.List(fields.Nested(PersonSchema), **described("For a coach: whom they coach."))


class PersonRowSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True, allow_none=True)
    active = fields.Boolean()
    schools = fields.List(fields.String(), **described("The codes of their schools."))
    coaches = fields.List(fields.Nested(PersonSchema))


class PersonInputSchema(ma.Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    given_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.Enum(Role, by_value=True, required=True)
    school = row_id("The id of a school of the district; every role but district_admin needs one.",
                    strict=True, load_default=None, allow_none=True)
    coach = row_id("The id of a coach of the district, for a teacher or coach.", strict=True,
                   load_default=None, allow_none=True)

    @ma.validates_schema
    def school_for_school_roles(self, data, **kwargs):
        if data.get("role") in SCHOOL_ROLES and not data.get("school"):
            raise ma.ValidationError(f"a {data['role'].label.lower()} needs a school", "school")


class NewPersonSchema(PersonDetailSchema):
    set_password_link = fields.String(**described(
        "A one-time, short-lived link (a path on this site) to give the person, to set their password."))


class RoleInputSchema(ma.Schema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in SCHOOL_ROLES]),
                         **described("A role in one school; it replaces any other role there."))
    school = row_id("The id of a school of the district.", strict=True, required=True)


class CaseloadCoachInputSchema(ma.Schema):
    coach = row_id("The id of a coach of the district.", strict=True, required=True)


class ActiveInputSchema(ma.Schema):
    active = fields.Boolean(required=True, **described(
        "False deactivates the person (ending their sessions and tokens); their data is kept."))


class DeleteArgs(ma.Schema):
    confirm = fields.String(required=True, validate=validate.Length(max=254), **described(
        "The person's email, typed again: deleting a person and all their data cannot be undone."))


class DeletedSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    deleted = fields.Boolean()


class LinkSchema(ma.Schema):
    person = fields.Integer()
    set_password_link = fields.String()


class SchoolSchema(SchoolRefSchema):
    teachers = fields.Integer(**described("Active teachers."))
    coaches = fields.Integer()
    principals = fields.Integer()


class SchoolInputSchema(ma.Schema):
    code = fields.String(required=True, validate=[
        validate.Length(min=1, max=40),
        validate.Regexp(r"^[A-Za-z0-9_-]+$", error="Use letters, digits, - and _ only.")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


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


# -- educators ------------------------------------------------------------------------------

def educator_row(row) -> dict:
    person = row.person
    held = [m for m in person.memberships if m.role in EDUCATOR_ROLES]
    widest = max(held, key=lambda m: (ROLE_RANK[m.role], m.school.name)) if held else None
    return {"id": person.id, "email": person.email, "name": person.name,
            "role": widest.role if widest else None,
            "school": widest.school.code if widest else None,
            "coach": row.coaches[0].email if row.coaches else None,
            "coaches": [c.email for c in row.coaches]}


@routes.route("/educators", tags=["Educators"])
@signed_in
@routes.arguments(PageArgs, location="query")
@routes.response(200, page_of(EducatorSchema, "EducatorPage"))
@routes.answers(401)
def educators(args):
    """The teachers and coaches the caller may see.

    Active people only: for a coach, their caseload and themself; for a principal, their
    school; for a district admin, the district; for a teacher, themself.
    """
    educators_only = visible_people_query(caller()).where(User.id.in_(
        select(Membership.user_id).where(Membership.role.in_(EDUCATOR_ROLES))))
    rows, pagination = queries.people(educators_only, page=args["page"], per_page=args["per_page"])
    return envelope([educator_row(row) for row in rows], pagination.total, args)


# -- people ---------------------------------------------------------------------------------

def person_document(person: User) -> dict:
    memberships = sorted(person.memberships, key=lambda m: m.school.name)
    return {"id": person.id, "email": person.email, "name": person.name, "given_name": person.given_name,
            "family_name": person.family_name, "role": person.role,
            "is_district_admin": person.is_district_admin, "active": person.active,
            "memberships": [{"school": m.school, "role": m.role} for m in memberships],
            "coaches": queries.coaches_of(person),
            "caseload": queries.caseload(person) if Role.COACH in person.roles else []}


@routes.route("/people", tags=["People"])
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@routes.arguments(PeopleArgs, location="query")
@routes.response(200, page_of(PersonRowSchema, "PersonPage"))
@routes.answers(401, 404)
def people(args):
    """The people the caller may see (a coach: their caseload and themself; a principal: their
    schools; a district admin: the district), by name; search, filter by school."""
    rows, pagination = queries.people(visible_people_query(caller()), search=args["q"],
                                      school_id=args["school"], include_inactive=args["inactive"],
                                      page=args["page"], per_page=args["per_page"])
    return envelope([{"id": r.person.id, "email": r.person.email, "name": r.person.name,
                      "role": r.person.role, "active": r.person.active,
                      "schools": [s.code for s in r.person.schools], "coaches": r.coaches}
                     for r in rows], pagination.total, args)


@routes.route("/people/<int:person_id>", tags=["People"])
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@routes.response(200, PersonDetailSchema)
@routes.answers(401, 404)
def person(person_id: int):
    """One person: roles per school, coaches, caseload, whether active."""
    return person_document(get_person_or_404(caller(), person_id))


def school_in_district(school_id: int, field: str = "school") -> School:
    school = db.session.get(School, school_id)
    if school is None or school.district_id != caller().district_id:
        problem(422, "Nothing was changed: choose a school of your district.",
                {field: f"{school_id} is not a school of your district"})
    return school


def coach_in_district(coach_id: int, field: str = "coach") -> User:
    coach = db.session.get(User, coach_id)
    if coach is None or coach.district_id != caller().district_id:
        problem(422, "Nothing was changed: choose a coach of your district.",
                {field: f"{coach_id} is not a coach of your district"})
    return coach


@routes.route("/people", methods=["POST"], tags=["People"])
@admin_only
@routes.arguments(PersonInputSchema)
@routes.response(201, NewPersonSchema)
@routes.answers(401, 404, 409)
def create_person(body):
    """Add a person with one role (and a coach) to the district (district admins). The answer
    carries a one-time link for them to set their password."""
    school = school_in_district(body["school"]) if body["school"] else None
    coach = coach_in_district(body["coach"]) if body["coach"] else None
    with one_transaction():
        created = services.create_user(
            district_id=caller().district_id, email=body["email"], given_name=body["given_name"],
            family_name=body["family_name"], role=body["role"], school=school, coach=coach, actor=caller())
        link = accounts.issue_set_password_link(created, actor=caller())
    return {**person_document(created), "set_password_link": link}


def administered(person_id: int) -> dict:
    return {"person": get_person_or_404(caller(), person_id)}


@routes.route("/people/<int:person_id>/roles", methods=["POST"], tags=["People"])
@admin_only
@routes.response(200, PersonDetailSchema)
@routes.answers(401, 404, 409)
@checked_first(administered)
@routes.arguments(RoleInputSchema)
def grant_role(body, person: User):
    """Give a person a role in a school (district admins); it replaces their role there."""
    school = school_in_district(body["school"])
    with one_transaction():
        services.grant_role(person, Role(body["role"]), school, actor=caller())
    return person_document(person)


@routes.route("/people/<int:person_id>/coaches", methods=["POST"], tags=["People"])
@admin_only
@routes.response(200, PersonDetailSchema)
@routes.answers(401, 404, 409)
@checked_first(administered)
@routes.arguments(CaseloadCoachInputSchema)
def add_coach(body, person: User):
    """Put a teacher or coach on a coach's caseload (district admins)."""
    coach = coach_in_district(body["coach"])
    with one_transaction():
        services.assign_coach(coach, person, actor=caller())
    return person_document(person)


@routes.route("/people/<int:person_id>/coaches/<int:coach_id>", methods=["DELETE"], tags=["People"])
@admin_only
@routes.response(200, PersonDetailSchema)
@routes.answers(401, 404)
def remove_coach(person_id: int, coach_id: int):
    """Take a person off a coach's caseload (district admins)."""
    person = get_person_or_404(caller(), person_id)
    coach = get_person_or_404(caller(), coach_id)
    with one_transaction():
        services.unassign_coach(coach, person, actor=caller())
    return person_document(person)


@routes.route("/people/<int:person_id>/active", methods=["PUT"], tags=["People"])
@admin_only
@routes.response(200, PersonDetailSchema)
@routes.answers(401, 404, 409)
@checked_first(administered)
@routes.arguments(ActiveInputSchema)
def put_active(body, person: User):
    """Deactivate a person (their sessions end and their API tokens are revoked for good: they do
    not come back on reactivation; their data stays) or activate them again (district admins).
    409 for the caller's own account."""
    with one_transaction():
        services.set_active(person, body["active"], actor=caller())
    return person_document(person)


@routes.route("/people/<int:person_id>", methods=["DELETE"], tags=["People"])
@admin_only
@routes.arguments(DeleteArgs, location="query", as_kwargs=True)
@routes.response(200, DeletedSchema)
@routes.answers(401, 404, 409)
def delete_person(person_id: int, confirm: str):
    """Delete a person and all their data (district admins), with their email typed again in
    `confirm`. Cannot be undone; audited. 409 for the caller's own account."""
    person = get_person_or_404(caller(), person_id)
    if confirm.strip().lower() != person.email:
        problem(422, f"Nothing was deleted: type {person.email} exactly to confirm.",
                {"confirm": f"is not {person.email}"})
    email = person.email
    with one_transaction():
        files = services.delete_person(person, actor=caller())
    remove_evidence_files(files)
    return {"id": person_id, "email": email, "deleted": True}


@routes.route("/people/<int:person_id>/set-password-link", methods=["POST"], tags=["People"])
@admin_only
@routes.response(200, LinkSchema)
@routes.answers(401, 404)
def set_password_link(person_id: int):
    """Issue a new one-time link for a person to set their password (district admins); audited."""
    person = get_person_or_404(caller(), person_id)
    with one_transaction():
        link = accounts.issue_set_password_link(person, actor=caller())
    return {"person": person.id, "set_password_link": link}


# -- schools -----------------------------------------------------------------------------------

def school_document(row: queries.SchoolHeadcount) -> dict:
    school = row.school
    return {"id": school.id, "code": school.code, "name": school.name, "teachers": row.teachers,
            "coaches": row.coaches, "principals": row.principals}


@routes.route("/schools", tags=["Schools"])
@admin_only
@routes.arguments(PageArgs, location="query")
@routes.response(200, page_of(SchoolSchema, "SchoolPage"))
@routes.answers(401, 404)
def schools(args):
    """The district's schools with their active people per role (district admins)."""
    ids = [s.id for s in queries.schools_of_district(caller().district_id)]
    return page_of_list([school_document(row) for row in queries.school_headcounts(ids)], args)


@routes.route("/schools", methods=["POST"], tags=["Schools"])
@admin_only
@routes.arguments(SchoolInputSchema)
@routes.response(201, SchoolSchema)
@routes.answers(401, 404, 409)
def create_school(body):
    """Add a school to the district (district admins). 409 when its code is taken."""
    with one_transaction():
        created = services.create_school(caller().district, code=body["code"], name=body["name"],
                                         actor=caller())
    [row] = queries.school_headcounts([created.id])
    return school_document(row)


# -- rosters --------------------------------------------------------------------------------

def roster_of(upload, partial: bool) -> read.Roster:
    _, _, bundle = read.checked_upload(upload)
    return read.read_roster(bundle, partial=partial)


@routes.route("/roster/preview", methods=["POST"], tags=["Rosters"])
@admin_only
@routes.arguments(RosterArgs, location="query")
@routes.arguments(RosterUploadSchema, location="files")
@routes.response(200, RosterPreviewSchema)
@routes.answers(401, 404)
def roster_preview(args, files):
    """What importing this roster into the caller's district would change: people to create,
    update and deactivate, and every rejected row with its file, line and reason. Nothing is
    written."""
    reads_only_from_here(db.session)   # no write lock while parsing and reading
    with one_transaction():
        roster = roster_of(files["file"], args["partial"])
        return roster_queries.roster_preview(caller().district, roster, caller())


@routes.route("/roster/import", methods=["POST"], tags=["Rosters"])
@admin_only
@routes.arguments(RosterArgs, location="query")
@routes.arguments(RosterUploadSchema, location="files")
@routes.response(200, RosterImportSchema)
@routes.answers(401, 404, 409)
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
