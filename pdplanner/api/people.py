"""/api/v1: people (list, detail; for district admins: create, roles, coaches, (de)activate,
delete, set-password links), schools and the audit log. The same services, queries and rules
as the People, Schools and Audit pages."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import SCHOOL_ROLES, Role, User
from pdplanner.api import schemas
from pdplanner.api.guards import checked_first
from pdplanner.api.views import answers, bp, caller, envelope, one_transaction, page_of_list, problem
from pdplanner.assessments.evidence import remove_evidence_files
from pdplanner.audit.labels import KINDS
from pdplanner.audit.queries import AuditFilter, district_events, event_rows
from pdplanner.extensions import db
from pdplanner.organisation import queries, services
from pdplanner.organisation.models import School
from pdplanner.permissions import deny, get_person_or_404, role_required, visible_people_query

admin_only = role_required(Role.DISTRICT_ADMIN)
described = schemas.described


# -- schemas --------------------------------------------------------------------------------

class PeopleArgs(schemas.PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      **described("Part of a name or email."))
    school = schemas.row_id("Only people of this school.", load_default=None)
    inactive = fields.Boolean(load_default=False, **described("Include deactivated people."))


class MembershipSchema(ma.Schema):
    school = fields.Nested(schemas.SchoolRefSchema)
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
    coaches = fields.List(fields.Nested(schemas.PersonSchema))
    caseload = fields.List(fields.Nested(schemas.PersonSchema), **described("For a coach: whom they coach."))


class PersonRowSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True, allow_none=True)
    active = fields.Boolean()
    schools = fields.List(fields.String(), **described("The codes of their schools."))
    coaches = fields.List(fields.Nested(schemas.PersonSchema))


class PersonInputSchema(ma.Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    given_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.Enum(Role, by_value=True, required=True)
    school = schemas.row_id("The id of a school of the district; every role but district_admin needs one.",
                            strict=True, load_default=None, allow_none=True)
    coach = schemas.row_id("The id of a coach of the district, for a teacher or coach.", strict=True,
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
    school = schemas.row_id("The id of a school of the district.", strict=True, required=True)


class CaseloadCoachInputSchema(ma.Schema):
    coach = schemas.row_id("The id of a coach of the district.", strict=True, required=True)


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


class SchoolSchema(schemas.SchoolRefSchema):
    teachers = fields.Integer(**described("Active teachers."))
    coaches = fields.Integer()
    principals = fields.Integer()


class SchoolInputSchema(ma.Schema):
    code = fields.String(required=True, validate=[
        validate.Length(min=1, max=40),
        validate.Regexp(r"^[A-Za-z0-9_-]+$", error="Use letters, digits, - and _ only.")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AuditArgs(schemas.PageArgs):
    person = schemas.row_id("Only events this person caused, or about them or their plan.")
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)),
                         **described("Only events of this kind, e.g. `path_activity.verified`."))
    since = fields.Date(**described("Only events from this day (UTC), YYYY-MM-DD."))
    until = fields.Date(**described("Only events up to this day (UTC), included."))

    @ma.validates_schema
    def validate_range(self, data, **_kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ma.ValidationError("The end day is before the start day.", "until")


class AuditEventSchema(ma.Schema):
    id = fields.Integer(attribute="event.id")
    occurred_at = fields.AwareDateTime(attribute="event.occurred_at")
    action = fields.String(attribute="event.action")
    kind_title = fields.String(**described("The kind of event in words, e.g. `Evidence verified`."))
    description = fields.String(attribute="sentence",
                                **described("The event in words, naming who did what to whom."))
    actor = fields.Function(lambda row: row.event.known_actor.email if row.event.known_actor else None,
                            allow_none=True,
                            **described("The actor's email; null for the system or a deleted account."))
    actor_id = fields.Integer(attribute="event.actor_id", allow_none=True)
    subject_type = fields.String(attribute="event.subject_type", allow_none=True)
    subject_id = fields.Integer(attribute="event.subject_id", allow_none=True)
    details = fields.Dict(attribute="event.details")
    remote_addr = fields.String(attribute="event.remote_addr", allow_none=True)


# -- people --------------------------------------------------------------------------------

def person_document(person: User) -> dict:
    memberships = sorted(person.memberships, key=lambda m: m.school.name)
    return {"id": person.id, "email": person.email, "name": person.name, "given_name": person.given_name,
            "family_name": person.family_name, "role": person.role,
            "is_district_admin": person.is_district_admin, "active": person.active,
            "memberships": [{"school": m.school, "role": m.role} for m in memberships],
            "coaches": queries.coaches_of(person),
            "caseload": queries.caseload(person) if Role.COACH in person.roles else []}


@bp.route("/people", tags=["People"])
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@bp.arguments(PeopleArgs, location="query")
@bp.response(200, schemas.page_of(PersonRowSchema, "PersonPage"))
@answers(401, 404)
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


@bp.route("/people/<int:person_id>", tags=["People"])
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@bp.response(200, PersonDetailSchema)
@answers(401, 404)
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


@bp.route("/people", methods=["POST"], tags=["People"])
@admin_only
@bp.arguments(PersonInputSchema)
@bp.response(201, NewPersonSchema)
@answers(401, 404, 409)
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
    return {"found": get_person_or_404(caller(), person_id)}


@bp.route("/people/<int:person_id>/roles", methods=["POST"], tags=["People"])
@admin_only
@bp.response(200, PersonDetailSchema)
@answers(401, 404, 409)
@checked_first(administered)
@bp.arguments(RoleInputSchema)
def grant_role(body, found: User):
    """Give a person a role in a school (district admins); it replaces their role there."""
    school = school_in_district(body["school"])
    with one_transaction():
        services.grant_role(found, Role(body["role"]), school, actor=caller())
    return person_document(found)


@bp.route("/people/<int:person_id>/coaches", methods=["POST"], tags=["People"])
@admin_only
@bp.response(200, PersonDetailSchema)
@answers(401, 404, 409)
@checked_first(administered)
@bp.arguments(CaseloadCoachInputSchema)
def add_coach(body, found: User):
    """Put a teacher or coach on a coach's caseload (district admins)."""
    coach = coach_in_district(body["coach"])
    with one_transaction():
        services.assign_coach(coach, found, actor=caller())
    return person_document(found)


@bp.route("/people/<int:person_id>/coaches/<int:coach_id>", methods=["DELETE"], tags=["People"])
@admin_only
@bp.response(200, PersonDetailSchema)
@answers(401, 404)
def remove_coach(person_id: int, coach_id: int):
    """Take a person off a coach's caseload (district admins)."""
    found = get_person_or_404(caller(), person_id)
    coach = db.session.get(User, coach_id)
    if coach is None or coach.district_id != caller().district_id:
        deny("user", coach_id)
    with one_transaction():
        services.unassign_coach(coach, found, actor=caller())
    return person_document(found)


@bp.route("/people/<int:person_id>/active", methods=["PUT"], tags=["People"])
@admin_only
@bp.response(200, PersonDetailSchema)
@answers(401, 404, 409)
@checked_first(administered)
@bp.arguments(ActiveInputSchema)
def put_active(body, found: User):
    """Deactivate a person (their sessions end and their API tokens are revoked for good: they do
    not come back on reactivation; their data stays) or activate them again (district admins).
    409 for the caller's own account."""
    with one_transaction():
        services.set_active(found, body["active"], actor=caller())
    return person_document(found)


@bp.route("/people/<int:person_id>", methods=["DELETE"], tags=["People"])
@admin_only
@bp.arguments(DeleteArgs, location="query", as_kwargs=True)
@bp.response(200, DeletedSchema)
@answers(401, 404, 409)
def delete_person(person_id: int, confirm: str):
    """Delete a person and all their data (district admins), with their email typed again in
    `confirm`. Cannot be undone; audited. 409 for the caller's own account."""
    found = get_person_or_404(caller(), person_id)
    if confirm.strip().lower() != found.email:
        problem(422, f"Nothing was deleted: type {found.email} exactly to confirm.",
                {"confirm": f"is not {found.email}"})
    email = found.email
    with one_transaction():
        files = services.delete_person(found, actor=caller())
    remove_evidence_files(files)
    return {"id": person_id, "email": email, "deleted": True}


@bp.route("/people/<int:person_id>/set-password-link", methods=["POST"], tags=["People"])
@admin_only
@bp.response(200, LinkSchema)
@answers(401, 404)
def set_password_link(person_id: int):
    """Issue a new one-time link for a person to set their password (district admins); audited."""
    found = get_person_or_404(caller(), person_id)
    with one_transaction():
        link = accounts.issue_set_password_link(found, actor=caller())
    return {"person": found.id, "set_password_link": link}


# -- schools and the audit log ------------------------------------------------------------

def school_document(row: queries.SchoolHeadcount) -> dict:
    school = row.school
    return {"id": school.id, "code": school.code, "name": school.name, "teachers": row.teachers,
            "coaches": row.coaches, "principals": row.principals}


@bp.route("/schools", tags=["Schools"])
@admin_only
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(SchoolSchema, "SchoolPage"))
@answers(401, 404)
def schools(args):
    """The district's schools with their active people per role (district admins)."""
    ids = [s.id for s in queries.schools_of_district(caller().district_id)]
    return page_of_list([school_document(row) for row in queries.school_headcounts(ids)], args)


@bp.route("/schools", methods=["POST"], tags=["Schools"])
@admin_only
@bp.arguments(SchoolInputSchema)
@bp.response(201, SchoolSchema)
@answers(401, 404, 409)
def create_school(body):
    """Add a school to the district (district admins). 409 when its code is taken."""
    with one_transaction():
        created = services.create_school(caller().district, code=body["code"], name=body["name"],
                                         actor=caller())
    [row] = queries.school_headcounts([created.id])
    return school_document(row)


@bp.route("/audit", tags=["Audit"])
@admin_only
@bp.arguments(AuditArgs, location="query")
@bp.response(200, schemas.page_of(AuditEventSchema, "AuditEventPage"))
@answers(401, 404)
def audit_log(args):
    """The district's audit log, newest first (district admins): who saw or changed what, and when,
    each event also in words; filtered by person, kind and days."""
    district_id = caller().district_id
    only = AuditFilter(person_id=args.get("person"), kind=args.get("kind"), since=args.get("since"),
                       until=args.get("until"))
    page = db.paginate(district_events(district_id, only), page=args["page"], per_page=args["per_page"],
                       error_out=False)
    return envelope(event_rows(list(page.items), district_id), page.total, args)
