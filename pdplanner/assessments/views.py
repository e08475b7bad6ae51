from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from pdplanner.accounts.models import Role
from pdplanner.assessments import queries, services
from pdplanner.assessments.evidence import EvidenceError, attach_evidence, evidence_path
from pdplanner.assessments.forms import (
    CycleDatesForm,
    CycleForm,
    OutcomeForm,
    RetentionForm,
    field_key,
    form_data,
    problems_keyed_by_field,
    rating_form_class,
    rating_inputs,
)
from pdplanner.assessments.models import RaterKind
from pdplanner.database import id_argument, reads_only_from_here, utcnow
from pdplanner.extensions import db
from pdplanner.framework.queries import visible_frameworks
from pdplanner.organisation import services as organisation
from pdplanner.organisation.forms import ConfirmForm
from pdplanner.pages import attempt
from pdplanner.permissions import (
    can_see_ratings,
    coaches,
    deny,
    get_cycle_or_404,
    get_evidence_or_404,
    get_person_or_404,
    requested_cycle,
    role_required,
)

bp = Blueprint("assessments", __name__)

educators_only = role_required(Role.TEACHER, Role.COACH)
coaches_only = role_required(Role.COACH)
admin_only = role_required(Role.DISTRICT_ADMIN)


def _requested_cycle():
    """The cycle named by ?cycle=, else the district's current one (404 when there is none)."""
    return requested_cycle(current_user, id_argument("cycle")) or abort(404, description=(
        "There is no assessment cycle yet. A district admin creates one on the Cycles page."))


def _domain_or_404(cycle, code: str):
    return next((d for d in cycle.framework.domains if d.code == code), None) or abort(404)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _rating_form(cycle, competencies, ratings, *, self_rating: bool):
    """The rating form of `competencies`: filled with `ratings` on GET, with what was sent on POST."""
    form_class = rating_form_class(competencies, cycle.framework, self_rating=self_rating)
    return form_class(data=form_data(ratings)) if request.method == "GET" else form_class()


# -- the educator's self-assessment --------------------------------------------------------

@bp.get("/assessment")
@educators_only
def start():
    cycle = queries.current_cycle(current_user.district_id)
    if cycle is None or not cycle.is_open:
        return render_template("assessments/none_open.html", cycle=cycle)
    assessment = services.self_assessment(cycle, current_user)
    if assessment is not None and assessment.submitted:
        return redirect(url_for(".review", cycle_id=cycle.id))
    domain = (assessment and assessment.last_domain_code) or cycle.framework.domains[0].code
    return redirect(url_for(".domain_page", cycle_id=cycle.id, domain_code=domain))


@bp.route("/assessment/<int:cycle_id>/<domain_code>", methods=["GET", "POST"])
@educators_only
def domain_page(cycle_id: int, domain_code: str):
    cycle = get_cycle_or_404(current_user, cycle_id)
    domain = _domain_or_404(cycle, domain_code)
    ratings = queries.ratings_by_code(cycle, current_user, RaterKind.SELF)
    form = _rating_form(cycle, domain.competencies, ratings, self_rating=True)
    problems = {}
    if request.method == "POST":
        answer, problems = _saved_page(
            cycle, lambda: _save_domain(cycle, domain, form),
            lambda: queries.ratings_by_code(cycle, current_user, RaterKind.SELF),
            lambda: _next_page(cycle, domain, lambda code: url_for(".domain_page", cycle_id=cycle.id,
                                                                   domain_code=code),
                               url_for(".review", cycle_id=cycle.id)))
        if answer is not None:
            return answer
    return render_template(
        "assessments/domain.html", cycle=cycle, domain=domain, form=form, problems=problems,
        ratings=ratings, assessment=services.self_assessment(cycle, current_user), field_key=field_key,
        progress=queries.progress_of(cycle, [current_user])[current_user.id],
        answered_by_domain=queries.answered_by_domain(cycle, ratings))


def _saved_page(cycle, save, ratings_now, next_page):
    """One save of a rating page (a domain of the self-assessment or of a coach's ratings), for
    its Save buttons and for static/js/autosave.js alike, which posts the same form with `Accept:
    application/json` on every change. Commits and answers (`next_page()` for the buttons, the
    rater's progress over `ratings_now()` for an autosave), or rolls back and answers what is
    wrong; returns (answer, None) or (None, the problems keyed by form field) for the form."""
    with attempt(services.AssessmentError, EvidenceError, flash_refusal=False) as saved:
        save()
    if saved.ok:
        reads_only_from_here(db.session)   # an autosave's progress: no write lock needed
        if _wants_json():
            return jsonify(saved=True, progress=_progress_json(cycle, ratings_now())), None
        return next_page(), None
    problems = getattr(saved.error, "problems", {})
    if _wants_json():
        return (jsonify(saved=False, message=str(saved.error), errors=problems), 422), problems
    flash(str(saved.error), "error")
    return None, problems


def _save_form(form, competencies, save) -> list:
    """Validate a rating form and save its answered competencies with `save(items)`, the
    service's problems keyed by form field."""
    if not form.validate_on_submit():
        raise services.AssessmentError("Nothing was saved: " + "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()))
    items = rating_inputs(form, competencies)
    with problems_keyed_by_field(items):
        return save(items)


def _save_domain(cycle, domain, form) -> None:
    saved = _save_form(form, domain.competencies, lambda items: services.save_self_ratings(
        current_user, cycle, items, domain_code=domain.code))
    by_code = {r.competency.code: r for r in saved}
    for competency in domain.competencies:
        upload = request.files.get(f"{field_key(competency.code)}__evidence_file")
        if upload and upload.filename:
            if competency.code not in by_code:
                raise EvidenceError(f"{competency.name}: choose a level before attaching a file.")
            attach_evidence(by_code[competency.code], current_user, upload)


def _next_page(cycle, domain, page_url, last_url):
    """Where a rating page's Save button goes: back to the page; "Save and continue" goes to the
    next domain's page (`page_url(code)`), and after the last domain to `last_url`."""
    domains = cycle.framework.domains
    position = domains.index(domain)
    if "continue" in request.form and position + 1 < len(domains):
        return redirect(page_url(domains[position + 1].code))
    if "continue" in request.form:
        return redirect(last_url)
    flash("Saved.", "success")
    return redirect(page_url(domain.code))


def _progress_json(cycle, ratings) -> dict:
    progress = queries.progress_in(cycle, ratings)
    return {"answered": progress.answered, "total": progress.total, "minutes_left": progress.minutes_left,
            "domains": queries.answered_by_domain(cycle, ratings)}


@bp.get("/assessment/<int:cycle_id>/review")
@educators_only
def review(cycle_id: int):
    cycle = get_cycle_or_404(current_user, cycle_id)
    ratings = queries.ratings_by_code(cycle, current_user, RaterKind.SELF)
    return render_template(
        "assessments/review.html", cycle=cycle, ratings=ratings, form=ConfirmForm(),
        assessment=services.self_assessment(cycle, current_user),
        progress=queries.progress_of(cycle, [current_user])[current_user.id],
        levels={lv.value: lv.label for lv in cycle.framework.levels},
    )


@bp.post("/assessment/<int:cycle_id>/submit")
@educators_only
def submit(cycle_id: int):
    cycle = get_cycle_or_404(current_user, cycle_id)
    ConfirmForm().validate_on_submit() or abort(400)
    with attempt(services.AssessmentError) as submitted:
        services.submit_self_assessment(current_user, cycle)
    if submitted.ok:
        flash("Submitted. Your self-assessment for this cycle is locked; your coach can reopen it.",
              "success")
    return redirect(url_for(".review", cycle_id=cycle.id))


@bp.post("/assessment/<int:cycle_id>/share")
@educators_only
def share(cycle_id: int):
    cycle = get_cycle_or_404(current_user, cycle_id)
    ConfirmForm().validate_on_submit() or abort(400)
    shared = request.form.get("shared") == "1"
    services.set_sharing(current_user, cycle, shared)
    db.session.commit()
    flash("Your principal can now see your individual ratings for this cycle." if shared else
          "Your individual ratings are private to you and your coach again.", "success")
    return redirect(url_for(".review", cycle_id=cycle.id))


@bp.get("/history")
@educators_only
def history():
    return render_template("assessments/history.html", person=current_user,
                           history=queries.rating_history(current_user))


@bp.get("/educators/<int:educator_id>/history")
@role_required(*Role)
def educator_history(educator_id: int):
    """An educator's ratings and calibration outcomes over time, as their coach sees them; a
    principal sees the cycles the educator shared, and nothing when none is shared."""
    educator = get_person_or_404(current_user, educator_id)
    history = queries.rating_history(educator, lambda cycle: can_see_ratings(current_user, educator, cycle))
    if not history[0] and not coaches(current_user, educator) and educator.id != current_user.id:
        deny("ratings", educator.id)
    return render_template("assessments/history.html", person=educator, history=history)


@bp.get("/evidence/<int:file_id>")
@role_required(*Role)
def evidence(file_id: int):
    evidence_file = get_evidence_or_404(current_user, file_id)
    return send_file(evidence_path(evidence_file), mimetype=evidence_file.content_type,
                     as_attachment=True, download_name=evidence_file.original_name)


# -- coaches --------------------------------------------------------------------------------

@bp.get("/caseload")
@coaches_only
def caseload():
    cycle = _requested_cycle()
    return render_template("assessments/caseload.html", cycle=cycle,
                           cycles=queries.cycles_of_district(current_user.district_id),
                           rows=queries.caseload_status(current_user, cycle))


def _caseload_educator_or_404(educator_id: int):
    """An educator on the signed-in coach's caseload: whom they rate and calibrate with."""
    educator = get_person_or_404(current_user, educator_id)
    return educator if coaches(current_user, educator) else deny("coach_rating", educator.id)


@bp.get("/educators/<int:educator_id>/coach-rating")
@coaches_only
def coach_rating(educator_id: int):
    """The coach picks up where they left off: the domain of the rating they changed last."""
    educator = _caseload_educator_or_404(educator_id)
    cycle = _requested_cycle()
    ratings = queries.ratings_by_code(cycle, educator, RaterKind.COACH, rater=current_user)
    return redirect(url_for(".coach_rating_domain", educator_id=educator.id, cycle=cycle.id,
                            domain_code=queries.last_changed_domain(cycle, ratings)))


@bp.route("/educators/<int:educator_id>/coach-rating/<domain_code>", methods=["GET", "POST"])
@coaches_only
def coach_rating_domain(educator_id: int, domain_code: str):
    educator = _caseload_educator_or_404(educator_id)
    cycle = _requested_cycle()
    domain = _domain_or_404(cycle, domain_code)
    ratings = queries.ratings_by_code(cycle, educator, RaterKind.COACH, rater=current_user)
    form = _rating_form(cycle, domain.competencies, ratings, self_rating=False)
    answer, problems = (_saved_coach_page(cycle, educator, domain, form) if request.method == "POST"
                        else (None, {}))
    if answer is not None:
        return answer
    return render_template("assessments/coach_rating.html", cycle=cycle, educator=educator, domain=domain,
                           form=form, problems=problems, field_key=field_key,
                           progress=queries.progress_in(cycle, ratings),
                           answered_by_domain=queries.answered_by_domain(cycle, ratings),
                           self_ratings=queries.ratings_by_code(cycle, educator, RaterKind.SELF))


def _saved_coach_page(cycle, educator, domain, form):
    """`_saved_page` for a domain of a coach's ratings of `educator`; after the last domain the
    coach goes on to the calibration view."""
    return _saved_page(
        cycle, lambda: _save_form(form, domain.competencies, lambda items: services.save_coach_ratings(
            current_user, educator, cycle, items)),
        lambda: queries.ratings_by_code(cycle, educator, RaterKind.COACH, rater=current_user),
        lambda: _next_page(cycle, domain, lambda code: url_for(
            ".coach_rating_domain", educator_id=educator.id, cycle=cycle.id, domain_code=code),
            url_for(".calibration", educator_id=educator.id, cycle=cycle.id)))


@bp.post("/educators/<int:educator_id>/reopen")
@coaches_only
def reopen(educator_id: int):
    educator = get_person_or_404(current_user, educator_id)
    cycle = _requested_cycle()
    ConfirmForm().validate_on_submit() or abort(400)
    with attempt(services.AssessmentError) as reopened:
        services.reopen_self_assessment(current_user, educator, cycle)
    if reopened.ok:
        flash(f"{educator.name}'s self-assessment is open for changes again.", "success")
    return redirect(url_for(".calibration", educator_id=educator.id, cycle=cycle.id))


@bp.get("/educators/<int:educator_id>/calibration")
@role_required(*Role)
def calibration(educator_id: int):
    educator = get_person_or_404(current_user, educator_id)
    cycle = _requested_cycle()
    if not can_see_ratings(current_user, educator, cycle):
        deny("ratings", educator.id)
    return render_template(
        "assessments/calibration.html", educator=educator, cycle=cycle, form=ConfirmForm(),
        rows=queries.calibration(cycle, educator),
        competencies={c.code: c for c in cycle.framework.competencies},
        history=queries.calibration_history(educator, lambda c: can_see_ratings(current_user, educator, c)),
        assessment=services.self_assessment(cycle, educator),
        is_coach=coaches(current_user, educator),
        self_ratings=queries.ratings_by_code(cycle, educator, RaterKind.SELF),
        outcomes=queries.calibration_outcomes(cycle, educator),
        levels={lv.value: lv.label for lv in cycle.framework.levels},
    )


@bp.route("/educators/<int:educator_id>/calibration/<competency_code>", methods=["GET", "POST"])
@coaches_only
def calibration_outcome(educator_id: int, competency_code: str):
    """The coach records what they and the educator agreed on one competency in this cycle."""
    educator = _caseload_educator_or_404(educator_id)
    cycle = _requested_cycle()
    competency = next((c for c in cycle.framework.competencies if c.code == competency_code), None)
    competency or abort(404)
    form = OutcomeForm(cycle.framework, queries.calibration_outcomes(cycle, educator).get(competency.code))
    if form.validate_on_submit():
        with attempt(services.AssessmentError, flash_refusal=False) as saved:
            services.record_calibration_outcome(current_user, educator, cycle, competency.code,
                                                agreed_level=form.agreed_level.data, note=form.note.data)
        if saved.ok:
            flash(f"The outcome on {competency.name} is saved.", "success")
            return redirect(url_for(".calibration", educator_id=educator.id, cycle=cycle.id,
                                    _anchor=f"outcome-{field_key(competency.code)}"))
        _show_problems(form, saved.error)
    return render_template("assessments/calibration_outcome.html", educator=educator, cycle=cycle,
                           competency=competency, form=form, **_calibration_of(cycle, educator, competency))


def _show_problems(form, error) -> None:
    """A refused outcome's problems on the fields they name, or the refusal flashed (a closed cycle)."""
    for name, message in error.problems.items():
        form[name].errors = [*form[name].errors, message]
    if not error.problems:
        flash(str(error), "error")


def _calibration_of(cycle, educator, competency) -> dict:
    """What the outcome page shows beside its form: both ratings of the competency."""
    return {"mine": queries.ratings_by_code(cycle, educator, RaterKind.SELF).get(competency.code),
            "theirs": queries.ratings_by_code(cycle, educator, RaterKind.COACH, rater=current_user).get(
                competency.code),
            "levels": {lv.value: lv.label for lv in cycle.framework.levels}}


@bp.route("/cycles", methods=["GET", "POST"])
@admin_only
def cycles():
    form = CycleForm(frameworks=visible_frameworks(current_user.district_id))
    if form.validate_on_submit():
        framework = next(f for f in visible_frameworks(current_user.district_id)
                         if str(f.id) == form.framework.data)
        with attempt(services.AssessmentError, flash_refusal=False) as created:
            services.create_cycle(district_id=current_user.district_id, name=form.name.data,
                                  opens_on=form.opens_on.data, closes_on=form.closes_on.data,
                                  framework=framework, actor=current_user)
        if created.error:
            form.name.errors.append(str(created.error))
        else:
            flash(f"{form.name.data} is created as a draft. Open it when educators should start.", "success")
            return redirect(url_for(".cycles"))
    return _cycles_page(form)


def _cycles_page(form: CycleForm, retention_form: RetentionForm | None = None):
    district = current_user.district
    return render_template("assessments/cycles.html", form=form, confirm=ConfirmForm(),
                           cycles=queries.cycles_of_district(district.id),
                           retention_form=retention_form or RetentionForm(
                               formdata=None, months=district.retention_months),
                           expired=queries.expired_cycles(district, utcnow().date()))


@bp.post("/cycles/retention")
@admin_only
def set_retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        new_cycle = CycleForm(frameworks=visible_frameworks(current_user.district_id), formdata=None)
        return _cycles_page(new_cycle, form), 400
    organisation.set_retention(current_user.district, form.months.data, actor=current_user)
    db.session.commit()
    months = form.months.data
    flash(f"Closed cycles are kept for {months} months." if months else "All cycles are kept.", "success")
    return redirect(url_for(".cycles"))


CYCLE_CHANGES = {"open": services.open_cycle, "close": services.close_cycle, "reopen": services.reopen_cycle}


@bp.get("/cycles/<int:cycle_id>/close")
@admin_only
def confirm_close(cycle_id: int):
    """What closing a cycle does, with the button that does it (the cycles page links here)."""
    cycle = get_cycle_or_404(current_user, cycle_id)
    return render_template("assessments/cycle_close.html", cycle=cycle, confirm=ConfirmForm(),
                           progress=queries.submission_counts(cycle))


@bp.post("/cycles/<int:cycle_id>/<any(open, close, reopen):action>")
@admin_only
def change_cycle(cycle_id: int, action: str):
    cycle = get_cycle_or_404(current_user, cycle_id)
    ConfirmForm().validate_on_submit() or abort(400)
    with attempt(services.AssessmentError) as changed:
        CYCLE_CHANGES[action](cycle, actor=current_user)
    if changed.ok:
        flash(f"{cycle.name} is {cycle.status.value}." + (
            " A district admin can reopen it from this page." if action == "close" else ""), "success")
    return redirect(url_for(".cycles"))


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_cycle(cycle_id: int):
    cycle = get_cycle_or_404(current_user, cycle_id)
    form = CycleDatesForm(obj=cycle)
    if form.validate_on_submit():
        with attempt(services.AssessmentError, flash_refusal=False) as saved:
            services.change_cycle_dates(cycle, form.opens_on.data, form.closes_on.data, actor=current_user,
                                        today=utcnow().date())
        for name, message in (saved.error.problems if saved.error else {}).items():
            form[name].errors.append(message)
        if saved.error and not saved.error.problems:
            form.form_errors.append(str(saved.error))
        if saved.ok:
            flash(f"The dates of {cycle.name} are saved.", "success")
            return redirect(url_for(".cycles"))
    return render_template("assessments/cycle_edit.html", cycle=cycle, form=form), 400 if form.errors else 200
