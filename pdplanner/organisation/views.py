import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pdplanner.accounts import services as accounts
from pdplanner.accounts.models import Role, User
from pdplanner.assessments.evidence import remove_evidence_files
from pdplanner.database import id_argument, reads_only_from_here
from pdplanner.extensions import db
from pdplanner.json_bodies import read_json
from pdplanner.organisation import queries, services
from pdplanner.organisation.forms import (
    BulkForm,
    CoachForm,
    ConfirmForm,
    DeletePersonForm,
    PersonDetailsForm,
    PersonForm,
    RoleForm,
    RosterApplyForm,
    RosterUploadForm,
    SchoolForm,
)
from pdplanner.organisation.roster import apply, read
from pdplanner.organisation.roster import queries as roster_queries
from pdplanner.pages import attempt
from pdplanner.permissions import get_person_or_404, get_school_or_404, role_required, visible_people_query

bp = Blueprint("organisation", __name__)

admin_only = role_required(Role.DISTRICT_ADMIN)


@bp.get("/people")
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
def people():
    school_id = id_argument("school")
    rows, pagination = queries.people(
        visible_people_query(current_user), search=request.args.get("q", ""),
        school_id=school_id, include_inactive=request.args.get("inactive") == "1",
        page=id_argument("page") or 1,
    )
    schools = [s for s in queries.schools_of_district(current_user.district_id)
               if Role.DISTRICT_ADMIN in current_user.roles or s.id in current_user.school_ids()]
    bulk_form = _bulk_form(formdata=None) if Role.DISTRICT_ADMIN in current_user.roles else None
    return render_template("organisation/people.html", rows=rows, pagination=pagination,
                           schools=schools, school_id=school_id, bulk_form=bulk_form)


def _bulk_form(**kwargs) -> BulkForm:
    district_id = current_user.district_id
    return BulkForm(schools=queries.schools_of_district(district_id),
                    coaches=queries.coaches_in_district(district_id), **kwargs)


def _bulk_selection(form: BulkForm) -> tuple[list[User], queries.BulkChange]:
    """The people a valid BulkForm selects (each one the admin may see, else 404) and its change."""
    people = [get_person_or_404(current_user, person_id) for person_id in dict.fromkeys(form.person.data)]
    action = form.action.data
    return people, queries.BulkChange(
        action,
        coach=get_person_or_404(current_user, int(form.coach.data)) if action == "set_coach" else None,
        school=get_school_or_404(current_user, int(form.school.data)) if action == "set_school" else None,
    )


@bp.get("/people/bulk")
@admin_only
def bulk_preview():
    """What a change to the selected people would do, person by person, before anything is written."""
    form = _bulk_form(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return render_template("organisation/bulk_preview.html", form=form, rows=None), 400
    people, change = _bulk_selection(form)
    rows = queries.bulk_preview(people, change, actor=current_user)
    return render_template("organisation/bulk_preview.html", form=form, rows=rows, change=change,
                           apply_form=_bulk_form(formdata=None, data=form.data))


@bp.post("/people/bulk")
@admin_only
def bulk_apply():
    form = _bulk_form()
    if not form.validate_on_submit():
        abort(400, description="This change cannot be applied: select the people and preview it again.")
    people, change = _bulk_selection(form)
    with attempt(services.OrganisationError) as applied:
        applied.result = services.apply_bulk(people, change, actor=current_user)
    if not applied.ok:
        return redirect(url_for(".bulk_preview", person=form.person.data, action=form.action.data,
                                coach=form.coach.data, school=form.school.data))
    flash(f"Changed {applied.result} {'person' if applied.result == 1 else 'people'}.", "success")
    return redirect(url_for(".people"))


@bp.route("/people/new", methods=["GET", "POST"])
@admin_only
def new_person():
    district_id = current_user.district_id
    form = PersonForm(schools=queries.schools_of_district(district_id),
                      coaches=queries.coaches_in_district(district_id))
    if form.validate_on_submit():
        with attempt(accounts.AccountError, services.OrganisationError, flash_refusal=False) as created:
            created.result = _create_person(form)
        if created.ok:
            person, link = created.result
            return render_template("organisation/set_password_link.html", person=person, link=link)
        error = created.error
        shown_at = form[error.field].errors if isinstance(error, accounts.AccountError) else form.form_errors
        shown_at.append(str(error))
    return render_template("organisation/new_person.html", form=form)


def _create_person(form: PersonForm) -> tuple[User, str]:
    """The person a valid PersonForm describes, and the link with which they set a password. An
    admin sees every school and person of their district: the loaders refuse any other."""
    person = services.create_user(
        district_id=current_user.district_id, email=form.email.data, given_name=form.given_name.data,
        family_name=form.family_name.data, role=Role(form.role.data),
        school=get_school_or_404(current_user, int(form.school.data)) if form.school.data else None,
        coach=get_person_or_404(current_user, int(form.coach.data)) if form.coach.data else None,
        actor=current_user,
    )
    return person, accounts.issue_set_password_link(person, actor=current_user)


@bp.get("/people/<int:person_id>")
@role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
def person(person_id: int):
    return _person_page(get_person_or_404(current_user, person_id))


def _person_page(person: User, delete_form: DeletePersonForm | None = None):
    district_id = current_user.district_id
    schools = queries.schools_of_district(district_id)
    coaches = queries.coaches_of(person)
    assignable = [c for c in queries.coaches_in_district(district_id)
                  if c.id != person.id and c not in coaches]
    return render_template(
        "organisation/person.html", person=person, coaches=coaches,
        caseload=queries.caseload(person) if Role.COACH in person.roles else [],
        role_form=RoleForm(schools=schools),
        coach_form=CoachForm(coaches=assignable),
        confirm_form=ConfirmForm(),
        delete_form=delete_form or DeletePersonForm(person=person, formdata=None),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_person(person_id: int):
    person = get_person_or_404(current_user, person_id)
    form = PersonDetailsForm(obj=person)
    if form.validate_on_submit():
        with attempt(accounts.AccountError, flash_refusal=False) as saved:
            saved.result = services.update_person_details(
                person, email=form.email.data, given_name=form.given_name.data,
                family_name=form.family_name.data, actor=current_user)
        if saved.ok:
            flash(f"Saved: {'; '.join(saved.result)}." if saved.result else "Nothing changed.", "success")
            return redirect(url_for(".person", person_id=person.id))
        form[saved.error.field].errors.append(str(saved.error))
    status = 400 if form.errors else 200
    return render_template("organisation/edit_person.html", form=form, person=person), status


@bp.post("/people/<int:person_id>/roles")
@admin_only
def grant_role(person_id: int):
    person = get_person_or_404(current_user, person_id)
    form = RoleForm(schools=queries.schools_of_district(current_user.district_id))
    if not form.validate_on_submit():
        abort(400, description="Choose a role and a school.")
    role, school = Role(form.role.data), get_school_or_404(current_user, int(form.school.data))
    services.grant_role(person, role, school, actor=current_user)
    db.session.commit()
    flash(f"{person.name} is now {role.label.lower()} at {school.name}.", "success")
    return redirect(url_for(".person", person_id=person.id))


@bp.post("/people/<int:person_id>/coaches")
@admin_only
def add_coach(person_id: int):
    person = get_person_or_404(current_user, person_id)
    form = CoachForm(coaches=queries.coaches_in_district(current_user.district_id))
    if not form.validate_on_submit():
        abort(400, description="Choose a coach.")
    coach = get_person_or_404(current_user, int(form.coach.data))
    with attempt(services.OrganisationError) as added:
        services.assign_coach(coach, person, actor=current_user)
    if added.ok:
        flash("Coach added.", "success")
    return redirect(url_for(".person", person_id=person.id))


@bp.post("/people/<int:person_id>/coaches/<int:coach_id>/remove")
@admin_only
def remove_coach(person_id: int, coach_id: int):
    person = get_person_or_404(current_user, person_id)
    ConfirmForm().validate_on_submit() or abort(400)
    services.unassign_coach(get_person_or_404(current_user, coach_id), person, actor=current_user)
    db.session.commit()
    flash("Coach removed.", "success")
    return redirect(url_for(".person", person_id=person.id))


@bp.post("/people/<int:person_id>/active")
@admin_only
def set_active(person_id: int):
    person = get_person_or_404(current_user, person_id)
    ConfirmForm().validate_on_submit() or abort(400)
    activate = request.form.get("active") == "1"
    with attempt(services.OrganisationError) as changed:
        services.set_active(person, activate, actor=current_user)
    if changed.ok:
        state = "active again" if activate else "deactivated; their data is kept"
        flash(f"{person.name} is {state}.", "success")
    return redirect(url_for(".person", person_id=person.id))


@bp.post("/people/<int:person_id>/delete")
@admin_only
def delete_person(person_id: int):
    person = get_person_or_404(current_user, person_id)
    form = DeletePersonForm(person=person)
    if not form.validate_on_submit():
        return _person_page(person, form), 400
    email = person.email
    with attempt(services.OrganisationError) as deleted:
        deleted.result = services.delete_person(person, actor=current_user)
    if not deleted.ok:
        return redirect(url_for(".person", person_id=person_id))
    remove_evidence_files(deleted.result)
    flash(f"{email} and all their data are deleted.", "success")
    return redirect(url_for(".people"))


@bp.post("/people/<int:person_id>/set-password-link")
@admin_only
def set_password_link(person_id: int):
    person = get_person_or_404(current_user, person_id)
    ConfirmForm().validate_on_submit() or abort(400)
    link = accounts.issue_set_password_link(person, actor=current_user)
    db.session.commit()
    return render_template("organisation/set_password_link.html", person=person, link=link)


@bp.route("/schools", methods=["GET", "POST"])
@admin_only
def schools():
    form = SchoolForm()
    if form.validate_on_submit():
        with attempt(services.OrganisationError, flash_refusal=False) as created:
            services.create_school(current_user.district, code=form.code.data, name=form.name.data,
                                   actor=current_user)
        if created.error:
            form.code.errors.append(str(created.error))
        else:
            flash(f"{form.name.data} added.", "success")
            return redirect(url_for(".schools"))
    school_ids = [s.id for s in queries.schools_of_district(current_user.district_id)]
    return render_template("organisation/schools.html", form=form,
                           headcounts=queries.school_headcounts(school_ids))


@bp.get("/roster/template.csv")
@admin_only
def roster_template():
    """The simple CSV's columns with an example row at one of the district's schools."""
    schools = queries.schools_of_district(current_user.district_id)
    body = "\ufeff" + read.simple_template(schools[0].code if schools else "MAIN")   # a BOM for spreadsheets
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="pdplanner-roster-template.csv"'})


@bp.route("/roster", methods=["GET", "POST"])
@admin_only
def roster():
    form = RosterUploadForm()
    if form.validate_on_submit():
        reads_only_from_here(db.session)   # a preview: no write lock while parsing and reading
        try:
            upload = read.store_upload(form.file.data)
            roster_in = read.read_roster(upload.bundle(), partial=form.partial.data)
        except read.RosterError as exc:
            form.file.errors.append(str(exc))
        else:
            preview = roster_queries.roster_preview(current_user.district, roster_in, current_user)
            apply_form = RosterApplyForm(formdata=None, data={
                "upload": upload.stored_name, "filename": upload.filename, "digest": upload.digest,
                "partial": "1" if form.partial.data else "", "expected": json.dumps(preview.counts)})
            return _roster_preview_page(preview, apply_form)
    return render_template("organisation/roster.html", form=form), 400 if form.errors else 200


@bp.post("/roster/apply")
@admin_only
def apply_roster():
    form = RosterApplyForm()
    expected = _expected_counts(form)
    # Signing in only read: the import's write transaction (and SQLite's write lock) begins
    # after the file is read and parsed, and ends before the invitations are mailed.
    db.session.commit()
    with attempt(read.RosterError, services.OrganisationError, flash_refusal=False) as applied:
        upload = read.stored_upload(form.upload.data, form.filename.data, form.digest.data)
        roster_in = read.read_roster(upload.bundle(), partial=form.partial.data == "1")
        applied.result = apply.apply_roster(current_user.district, roster_in, actor=current_user,
                                            expected=expected, typed=form.typed.data)
    if isinstance(applied.error, apply.UnconfirmedDeactivation):
        form.typed.errors = [str(applied.error)]
        return _roster_preview_page(applied.error.preview, form), 400
    if not applied.ok:
        flash(str(applied.error), "error")
        return redirect(url_for(".roster"))
    upload.remove()
    return _roster_done_page(applied.result)


def _roster_done_page(outcome) -> str:
    """The roster applied: its invitations mailed, and what was done."""
    unsent = accounts.mail_invitations(outcome.invitations)
    return render_template("organisation/roster_done.html", preview=outcome.preview,
                           mailed=len(outcome.invitations) - len(unsent), unsent=unsent)


def _roster_preview_page(preview, apply_form: RosterApplyForm) -> str:
    """The preview with its Apply form; a roster deactivating most people asks for the words
    typed (`RosterPreview.confirmation_phrase`)."""
    apply_form.typed.label.text = f"Type {preview.confirmation_phrase} to confirm"
    return render_template("organisation/roster_preview.html", preview=preview,
                           filename=apply_form.filename.data, apply_form=apply_form)


def _expected_counts(form: RosterApplyForm) -> dict:
    """The counts the preview showed, which the import must still find (400 if the form is stale)."""
    stale = "This preview cannot be applied: upload the roster again."
    if not form.validate_on_submit():
        abort(400, description=stale)
    try:
        return read_json(form.expected.data)
    except ValueError:
        abort(400, description=stale)
