"""The coach's workflow: coach ratings autosave through the self-assessment's machinery and pick
up where the coach left off; the calibration view shows what the educator said and keeps the
outcome of the calibration conversation per cycle, in the history, under the ratings' rule."""

import re
from datetime import date

from sqlalchemy import select

from pdplanner.assessments.models import CalibrationOutcome, Confidence, RaterKind, Rating
from pdplanner.assessments.services import (
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    record_calibration_outcome,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
)
from pdplanner.audit.models import AuditEvent
from pdplanner.reports.personal_data import my_data_document
from tests.conftest import csrf_from
from tests.factories import create_user
from tests.helpers import sign_in_directly

JSON = {"Accept": "application/json"}


def _coach_page(scene, domain="COG"):
    return f"/educators/{scene.teacher.id}/coach-rating/{domain}?cycle={scene.cycle.id}"


def _outcome_page(scene, code="COG.1", cycle=None):
    return f"/educators/{scene.teacher.id}/calibration/{code}?cycle={(cycle or scene.cycle).id}"


def _calibration(scene):
    return f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}"


def _coach_ratings(db, scene):
    db.session.expire_all()
    return {r.competency.code: r for r in db.session.scalars(select(Rating).where(
        Rating.kind == RaterKind.COACH, Rating.educator_id == scene.teacher.id))}


def _text(html: str) -> str:
    return " ".join(re.sub("<[^>]+>", " ", html).split())


# -- autosave and resume ---------------------------------------------------------------------

def test_the_coach_page_autosaves_like_the_self_assessment_and_answers_progress(db, client, scene):
    sign_in_directly(client, scene.coach)
    page = client.get(_coach_page(scene)).get_data(as_text=True)
    assert "data-autosave" in page and "js/autosave.js" in page and 'id="save-state"' in page
    assert "0 of 19 rated" in _text(page)
    token = csrf_from(client, _coach_page(scene))
    response = client.post(_coach_page(scene), headers=JSON, data={
        "csrf_token": token, "COG_1__level": "3", "COG_1__confidence": "high", "COG_1__note": "Seen twice"})
    assert response.status_code == 200
    assert response.json == {"saved": True, "progress": {
        "answered": 1, "total": 19, "minutes_left": 14,
        "domains": {"COG": 1, "INTRA": 0, "INTER": 0, "INST": 0}}}
    rating = _coach_ratings(db, scene)["COG.1"]
    assert (rating.level, rating.confidence, rating.note) == (3, Confidence.HIGH, "Seen twice")
    assert rating.rater_id == scene.coach.id
    # the same save as the coach rating page always had: audited, and seen by the summaries
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "coach_ratings.saved"))
    assert re.search(r'id="COG_1-level-3"[^>]*checked', client.get(_coach_page(scene)).get_data(as_text=True))


def test_the_coach_resumes_on_the_domain_they_changed_last(db, client, scene):
    sign_in_directly(client, scene.coach)
    start = f"/educators/{scene.teacher.id}/coach-rating?cycle={scene.cycle.id}"
    assert client.get(start).headers["Location"].endswith(_coach_page(scene, "COG"))
    token = csrf_from(client, _coach_page(scene, "INTER"))
    client.post(_coach_page(scene, "INTER"), headers=JSON, data={"csrf_token": token, "INTER_2__level": "2"})
    assert client.get(start).headers["Location"].endswith(_coach_page(scene, "INTER"))
    client.post(_coach_page(scene, "INTRA"), headers=JSON,
                data={"csrf_token": token, "INTRA_1__level": "none"})
    assert client.get(start).headers["Location"].endswith(_coach_page(scene, "INTRA"))


def test_save_and_continue_walks_the_domains_and_ends_on_the_calibration_view(db, client, scene):
    sign_in_directly(client, scene.coach)
    token = csrf_from(client, _coach_page(scene, "INST"))
    response = client.post(_coach_page(scene, "COG"), data={"csrf_token": token, "continue": "1"})
    assert response.headers["Location"].endswith(_coach_page(scene, "INTRA"))
    response = client.post(_coach_page(scene, "INST"), data={"csrf_token": token, "continue": "1"})
    assert response.headers["Location"].endswith(_calibration(scene))


def test_a_bad_autosave_names_the_field_and_saves_nothing(db, client, scene):
    sign_in_directly(client, scene.coach)
    token = csrf_from(client, _coach_page(scene))
    response = client.post(_coach_page(scene), headers=JSON, data={
        "csrf_token": token, "COG_1__level": "2", "COG_2__level": "9", "COG_3__evidence_url": "javascript:x"})
    assert response.status_code == 422 and response.json["saved"] is False
    assert set(response.json["errors"]) == {"COG_2__level", "COG_3__evidence_url"}
    assert "'9' is not a level of the scale (1-4)" in response.json["errors"]["COG_2__level"]
    assert _coach_ratings(db, scene) == {}
    page = client.post(_coach_page(scene), data={"csrf_token": token, "COG_2__level": "9"})
    page = page.get_data(as_text=True)
    assert 'id="COG_2-level-error"' in page


def test_another_coach_cannot_rate_nor_record_nor_read_the_educator(db, client, scene):
    other = create_user("coach", school=scene.school)
    sign_in_directly(client, other)
    token = csrf_from(client, "/caseload")
    assert client.post(_coach_page(scene), headers=JSON,
                       data={"csrf_token": token, "COG_1__level": "1"}).status_code == 404
    assert client.get(_coach_page(scene)).status_code == 404
    assert client.get(f"/educators/{scene.teacher.id}/coach-rating?cycle={scene.cycle.id}").status_code == 404
    outcome = client.post(_outcome_page(scene), data={"csrf_token": token, "agreed_level": "2"})
    assert outcome.status_code == 404
    assert client.get(f"/educators/{scene.teacher.id}/history").status_code == 404
    assert _coach_ratings(db, scene) == {}
    assert db.session.scalar(select(CalibrationOutcome)) is None


# -- the calibration view and its outcomes -------------------------------------------------------

def test_the_calibration_view_shows_the_educators_note_confidence_and_evidence(db, client, scene):
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput(
        "COG.1", level=4, confidence="low", note="I plan units < 2 weeks ahead",
        evidence_url="https://example.org/unit-plan")])
    db.session.commit()
    sign_in_directly(client, scene.coach)
    html = client.get(_calibration(scene)).get_data(as_text=True)
    row = html.split('id="outcome-COG_1"')[1].split("</tr>")[0]
    assert "Low" in row and "I plan units &lt; 2 weeks ahead" in row
    assert 'href="https://example.org/unit-plan"' in row
    assert "Record the outcome" in row


def test_the_coach_records_and_changes_an_outcome_which_becomes_the_coach_rating(db, client, scene):
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=4)])
    save_coach_ratings(scene.coach, scene.teacher, scene.cycle,
                       [RatingInput("COG.1", level=1, confidence="medium", note="One lesson seen")])
    db.session.commit()
    sign_in_directly(client, scene.coach)
    form = client.get(_outcome_page(scene)).get_data(as_text=True)
    assert "Your rating" in form and "One lesson seen" in form
    token = csrf_from(client, _outcome_page(scene))
    response = client.post(_outcome_page(scene), data={
        "csrf_token": token, "agreed_level": "3", "note": "Units are planned; feedback still growing"})
    assert response.headers["Location"].endswith("#outcome-COG_1")
    outcome = db.session.scalar(select(CalibrationOutcome))
    assert (outcome.agreed_level, outcome.note, outcome.coach_id) == (
        3, "Units are planned; feedback still growing", scene.coach.id)
    coach = _coach_ratings(db, scene)["COG.1"]
    assert (coach.level, coach.confidence, coach.note) == (3, Confidence.MEDIUM, "One lesson seen")
    client.post(_outcome_page(scene), data={"csrf_token": token, "agreed_level": "",
                                            "note": "Revisit in May"})
    db.session.expire_all()
    [outcome] = db.session.scalars(select(CalibrationOutcome)).all()
    assert (outcome.agreed_level, outcome.note) == (None, "Revisit in May")
    assert _coach_ratings(db, scene)["COG.1"].level == 3  # a note alone leaves the coach rating
    html = client.get(_calibration(scene)).get_data(as_text=True)
    assert "Revisit in May" in html.split('id="outcome-COG_1"')[1].split("</tr>")[0]
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "calibration_outcome.recorded")).all() == ["calibration_outcome.recorded"] * 2


def test_an_empty_or_wrong_outcome_is_refused_naming_the_field(db, client, scene):
    sign_in_directly(client, scene.coach)
    token = csrf_from(client, _outcome_page(scene))
    empty = client.post(_outcome_page(scene), data={"csrf_token": token, "agreed_level": "", "note": " "})
    assert "choose the level you agreed on, or write a note" in empty.get_data(as_text=True)
    wrong = client.post(_outcome_page(scene), data={"csrf_token": token, "agreed_level": "7", "note": "x"})
    assert "&#39;7&#39; is not a level of the scale (1-4)" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(CalibrationOutcome)) is None and _coach_ratings(db, scene) == {}
    assert client.get(_outcome_page(scene, "NOPE.9")).status_code == 404


def test_outcomes_are_kept_per_cycle_and_shown_in_the_history(db, client, scene):
    record_calibration_outcome(scene.coach, scene.teacher, scene.cycle, "COG.1", agreed_level=2,
                               note="Baseline: agreed on 2")
    close_cycle(scene.cycle)
    spring = create_cycle(district_id=scene.cycle.district_id, name="2026-27 end of year",
                          opens_on=date(2027, 5, 1), closes_on=date(2027, 6, 15),
                          framework=scene.cycle.framework)
    open_cycle(spring)
    record_calibration_outcome(scene.coach, scene.teacher, spring, "COG.1", agreed_level=3,
                               note="Spring: agreed on 3")
    db.session.commit()
    assert {(o.cycle_id, o.agreed_level) for o in db.session.scalars(select(CalibrationOutcome))} == {
        (scene.cycle.id, 2), (spring.id, 3)}
    for viewer, url in ((scene.teacher, "/history"), (scene.coach, f"/educators/{scene.teacher.id}/history")):
        sign_in_directly(client, viewer)
        html = client.get(url).get_data(as_text=True)
        row = html.split('<span class="code">COG.1</span>')[1].split("</tr>")[0]
        assert row.index("Baseline: agreed on 2") < row.index("Spring: agreed on 3")
        assert re.findall(r'<td class="agreed"><strong>(\d)</strong>', row) == ["2", "3"]
    # a closed cycle's outcome is read-only, as its ratings are
    sign_in_directly(client, scene.coach)
    token = csrf_from(client, "/caseload")
    closed = client.post(_outcome_page(scene), data={"csrf_token": token, "agreed_level": "4"},
                         follow_redirects=True)
    assert "its ratings are read-only" in closed.get_data(as_text=True)
    assert db.session.scalar(select(CalibrationOutcome.agreed_level).where(
        CalibrationOutcome.cycle_id == scene.cycle.id)) == 2


def test_a_principal_sees_an_outcome_only_while_the_educator_shares_the_cycle(db, client, scene):
    record_calibration_outcome(scene.coach, scene.teacher, scene.cycle, "COG.1", agreed_level=2,
                               note="Private agreement")
    db.session.commit()
    calibration = f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}"
    history = f"/educators/{scene.teacher.id}/history"
    for leader in (scene.principal, scene.admin):
        sign_in_directly(client, leader)
        assert client.get(calibration).status_code == 404
        assert client.get(history).status_code == 404
        assert client.get(_outcome_page(scene)).status_code == 404
    set_sharing(scene.teacher, scene.cycle, True)
    db.session.commit()
    sign_in_directly(client, scene.principal)
    shown = client.get(calibration).get_data(as_text=True)
    assert "Private agreement" in shown and "Record the outcome" not in shown
    assert "Private agreement" in client.get(history).get_data(as_text=True)
    assert client.get(_outcome_page(scene)).status_code == 404  # reading is not recording


def test_the_outcome_is_in_the_educators_own_data_not_the_coachs(db, scene):
    record_calibration_outcome(scene.coach, scene.teacher, scene.cycle, "COG.2", agreed_level=3,
                               note="Agreed")
    db.session.commit()
    [outcome] = my_data_document(scene.teacher)[0]["calibration_outcomes"]
    assert {k: outcome[k] for k in ("cycle_id", "competency", "agreed_level", "note", "coach_email")} == {
        "cycle_id": scene.cycle.id, "competency": "COG.2", "agreed_level": 3, "note": "Agreed",
        "coach_email": scene.coach.email}
    assert my_data_document(scene.coach)[0]["calibration_outcomes"] == []


def test_a_principal_reading_a_shared_cycle_learns_nothing_of_an_earlier_unshared_one(db, client, scene):
    """Sharing this cycle opens its calibration page to the principal; the page's differences
    across cycles must not carry an earlier cycle the educator kept to themselves (a difference
    beside the coach's level is the self-rating)."""
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=4)])
    save_coach_ratings(scene.coach, scene.teacher, scene.cycle, [RatingInput("COG.1", level=1)])
    close_cycle(scene.cycle)
    spring = create_cycle(district_id=scene.cycle.district_id, name="2026-27 end of year",
                          opens_on=date(2027, 5, 1), closes_on=date(2027, 6, 15),
                          framework=scene.cycle.framework)
    open_cycle(spring)
    save_self_ratings(scene.teacher, spring, [RatingInput("COG.1", level=3)])
    save_coach_ratings(scene.coach, scene.teacher, spring, [RatingInput("COG.1", level=2)])
    set_sharing(scene.teacher, spring, True)
    db.session.commit()
    url = f"/educators/{scene.teacher.id}/calibration?cycle={spring.id}"
    sign_in_directly(client, scene.coach)
    assert scene.cycle.name in client.get(url).get_data(as_text=True)   # the coach sees both
    sign_in_directly(client, scene.principal)
    page = client.get(url)
    assert page.status_code == 200
    assert scene.cycle.name not in page.get_data(as_text=True)
