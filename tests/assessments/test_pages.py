import re
from pathlib import Path

from sqlalchemy import select

from pdplanner.assessments.models import EvidenceFile, RaterKind, Rating, SelfAssessment
from pdplanner.assessments.services import (
    RatingInput,
    save_coach_ratings,
    save_self_ratings,
    submit_self_assessment,
)
from pdplanner.audit.models import AuditEvent
from tests.conftest import csrf_from
from tests.factories import create_user
from tests.helpers import pdf_upload, sign_in_directly


def _page(scene, domain="COG"):
    return f"/assessment/{scene.cycle.id}/{domain}"


def _self_ratings(db, scene):
    return {r.competency.code: r for r in db.session.scalars(
        select(Rating).where(Rating.kind == RaterKind.SELF, Rating.educator_id == scene.teacher.id))}


def test_domain_page_shows_labelled_radio_groups_with_descriptors_and_progress(db, client, scene):
    sign_in_directly(client, scene.teacher)
    html = client.get(_page(scene, "INTRA")).get_data(as_text=True)
    assert html.count('<fieldset class="levels') == 5
    assert "0 of 19 rated, about 15 minutes left" in " ".join(re.sub("<[^>]+>", "", html).split())
    # each option is labelled by its level and described by that level's descriptor
    option = re.search(r'<input type="radio" id="INTRA_1-level-3"[^>]*aria-describedby="([^"]+)"', html)
    assert option and f'id="{option.group(1)}"' in html
    assert '<label for="INTRA_1-level-3"><span class="level-option__label">3 Proficient</span>' in html
    assert "Not yet observed" in html


def test_plain_save_without_javascript_and_continue(db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, _page(scene))
    response = client.post(_page(scene), data={
        "csrf_token": token, "COG_1__level": "2", "COG_1__confidence": "medium", "COG_1__interest": "y",
        "COG_1__note": "Working on progressions", "COG_2__level": "none", "continue": "1"})
    assert response.headers["Location"] == _page(scene, "INTRA")
    ratings = _self_ratings(db, scene)
    assert (ratings["COG.1"].level, ratings["COG.1"].confidence.value, ratings["COG.1"].interest) == (
        2, "medium", True)
    assert ratings["COG.2"].not_observed and ratings["COG.2"].level is None
    assert "COG.3" not in ratings  # untouched competencies stay unrated


def test_autosave_answers_json_with_progress(db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, _page(scene))
    response = client.post(_page(scene), data={"csrf_token": token, "COG_3__level": "3"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "progress": {
        "answered": 1, "total": 19, "minutes_left": 14,
        "domains": {"COG": 1, "INTRA": 0, "INTER": 0, "INST": 0}}}


def test_autosave_of_a_bad_value_names_the_field_and_saves_nothing(db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, _page(scene))
    response = client.post(_page(scene), data={"csrf_token": token, "COG_1__level": "2",
                                               "COG_4__level": "9"},
                           headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 422 and body["saved"] is False
    assert body["errors"] == {"COG_4__level": "'9' is not a level of the scale (1-4)"}
    assert _self_ratings(db, scene) == {}


def test_autosave_without_csrf_is_refused(db, client, scene):
    sign_in_directly(client, scene.teacher)
    response = client.post(_page(scene), data={"COG_1__level": "2"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert _self_ratings(db, scene) == {}


def test_resume_exactly_where_one_left_off(db, client, scene):
    sign_in_directly(client, scene.teacher)
    assert client.get("/assessment").headers["Location"] == _page(scene, "COG")
    token = csrf_from(client, _page(scene, "INTER"))
    client.post(_page(scene, "INTER"), data={"csrf_token": token, "INTER_2__level": "3"})
    assert client.get("/assessment").headers["Location"] == _page(scene, "INTER")
    html = client.get(_page(scene, "INTER")).get_data(as_text=True)
    assert re.search(r'id="INTER_2-level-3"[^>]*checked', html)


def test_submit_from_the_review_page_then_locked_until_the_coach_reopens(db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, f"/assessment/{scene.cycle.id}/review")
    refused = client.post(f"/assessment/{scene.cycle.id}/submit", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "Still to do: COG.1, COG.2" in refused
    save_self_ratings(scene.teacher, scene.cycle,
                      [RatingInput(c.code, level=3) for c in scene.cycle.framework.competencies])
    client.post(f"/assessment/{scene.cycle.id}/submit", data={"csrf_token": token})
    assessment = db.session.scalar(select(SelfAssessment))
    assert assessment.submitted
    assert client.get("/assessment").headers["Location"] == f"/assessment/{scene.cycle.id}/review"
    locked = client.post(_page(scene), data={"csrf_token": token, "COG_1__level": "1"},
                         headers={"Accept": "application/json"})
    assert locked.status_code == 422 and "submitted" in locked.get_json()["message"]
    sign_in_directly(client, scene.coach)
    token = csrf_from(client, f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}")
    client.post(f"/educators/{scene.teacher.id}/reopen?cycle={scene.cycle.id}", data={"csrf_token": token})
    db.session.expire_all()
    assert not db.session.scalar(select(SelfAssessment)).submitted
    reopened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "self_assessment.reopened"))
    assert reopened.actor_id == scene.coach.id and reopened.subject_id == scene.teacher.id


def test_evidence_upload_is_checked_stored_privately_and_downloadable_by_the_coach(app, db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, _page(scene))
    client.post(_page(scene), data={"csrf_token": token, "COG_1__level": "2",
                                    "COG_1__evidence_file": pdf_upload("lesson plan.pdf")},
                content_type="multipart/form-data")
    evidence = db.session.scalar(select(EvidenceFile))
    assert evidence.original_name == "lesson plan.pdf" and evidence.stored_name != "lesson plan.pdf"
    stored = Path(app.config["EVIDENCE_DIR"]) / evidence.stored_name
    assert stored.read_bytes().startswith(b"%PDF")
    assert not (Path(app.static_folder) / evidence.stored_name).exists()
    sign_in_directly(client, scene.coach)
    download = client.get(f"/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    sign_in_directly(client, scene.principal)
    assert client.get(f"/evidence/{evidence.id}").status_code == 404


def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_saved(db, client, scene):
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, _page(scene))
    response = client.post(_page(scene), data={
        "csrf_token": token, "COG_1__level": "2",
        "COG_1__evidence_file": pdf_upload("notes.pdf", b"MZ\x90\x00 not a pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "the content is not a .pdf file" in response.get_data(as_text=True)
    assert _self_ratings(db, scene) == {} and db.session.scalar(select(EvidenceFile)) is None


def test_coach_rates_and_sees_calibration_flags(db, client, scene):
    save_self_ratings(scene.teacher, scene.cycle,
                      [RatingInput("COG.1", level=4), RatingInput("COG.2", level=2)])
    db.session.commit()
    sign_in_directly(client, scene.coach)
    caseload = client.get("/caseload").get_data(as_text=True)
    assert "Tess" in caseload and "In progress, 2 of 19" in caseload
    url = f"/educators/{scene.teacher.id}/coach-rating/COG?cycle={scene.cycle.id}"
    form = client.get(url).get_data(as_text=True)
    assert "Self-rating: 4" in form
    token = csrf_from(client, url)
    client.post(url, data={"csrf_token": token, "COG_1__level": "2", "COG_2__level": "2"})
    calibration = f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}"
    html = client.get(calibration).get_data(as_text=True)
    assert "1 competency differs by 2 or more levels" in html
    assert re.search(r'<tr id="outcome-COG_1" class="flagged">\s*<th scope="row">[^<]*'
                     r'<span class="code">COG.1', html)
    assert "1</strong>" in client.get("/caseload").get_data(as_text=True)  # one flag on the caseload


def test_another_coach_cannot_rate_or_see(db, client, scene):
    other = create_user("coach", school=scene.school)
    sign_in_directly(client, other)
    assert client.get(f"/educators/{scene.teacher.id}/coach-rating?cycle={scene.cycle.id}").status_code == 404
    assert client.get(f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}").status_code == 404
    assert "Tess" not in client.get("/caseload").get_data(as_text=True)


def test_principal_sees_individual_ratings_only_while_shared(db, client, scene):
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=3)])
    db.session.commit()
    url = f"/educators/{scene.teacher.id}/calibration?cycle={scene.cycle.id}"
    sign_in_directly(client, scene.principal)
    assert client.get(url).status_code == 404
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, f"/assessment/{scene.cycle.id}/review")
    client.post(f"/assessment/{scene.cycle.id}/share", data={"csrf_token": token, "shared": "1"})
    sign_in_directly(client, scene.principal)
    assert client.get(url).status_code == 200
    assert "Tess" in client.get("/school-ratings").get_data(as_text=True)
    sign_in_directly(client, scene.teacher)
    token = csrf_from(client, f"/assessment/{scene.cycle.id}/review")
    client.post(f"/assessment/{scene.cycle.id}/share", data={"csrf_token": token, "shared": "0"})
    sign_in_directly(client, scene.principal)
    assert client.get(url).status_code == 404
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "self_ratings.shared" in actions and "self_ratings.unshared" in actions


def test_school_aggregates_are_suppressed_below_the_privacy_threshold(app, db, client, scene):
    """Now over submitted self-assessments only, published once five unshared people submitted,
    at one decimal (was: every save, drafts included, two decimals: the differencing leak)."""
    teachers = [scene.teacher] + [create_user("teacher", school=scene.school, coach=scene.coach)
                                  for _ in range(4)]
    competencies = scene.cycle.framework.competencies
    for n, teacher in enumerate(teachers[:4]):
        save_self_ratings(teacher, scene.cycle, [RatingInput(c.code, level=2 + n % 2) for c in competencies])
        submit_self_assessment(teacher, scene.cycle)
    db.session.commit()
    sign_in_directly(client, scene.principal)
    html = client.get("/school-ratings").get_data(as_text=True)
    cog1 = html.split('<span class="code">COG.1</span>')[1].split("</tr>")[0]
    assert "fewer than 5" in cog1  # four raters: hidden
    fifth = teachers[4]
    save_self_ratings(fifth, scene.cycle, [RatingInput(c.code, level=4) for c in competencies])
    db.session.commit()
    cog1 = client.get("/school-ratings").get_data(as_text=True).split(
        '<span class="code">COG.1</span>')[1].split("</tr>")[0]
    assert "fewer than 5" in cog1  # the fifth is still a draft
    submit_self_assessment(fifth, scene.cycle)
    db.session.commit()
    cog1 = client.get("/school-ratings").get_data(as_text=True).split(
        '<span class="code">COG.1</span>')[1].split("</tr>")[0]
    assert "2.8" in cog1 and "(5)" in cog1  # (2+3+2+3+4)/5


def test_history_shows_every_cycle(db, client, scene):
    save_self_ratings(scene.teacher, scene.cycle, [RatingInput("COG.1", level=2)])
    save_coach_ratings(scene.coach, scene.teacher, scene.cycle, [RatingInput("COG.1", level=3)])
    db.session.commit()
    sign_in_directly(client, scene.teacher)
    html = client.get("/history").get_data(as_text=True)
    assert "2026-27 baseline" in html
    row = html.split('<span class="code">COG.1</span>')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d)</td>', row) == ["2", "3"]


def test_admin_creates_opens_and_closes_cycles(db, client, scene):
    sign_in_directly(client, scene.admin)
    token = csrf_from(client, "/cycles")
    framework_id = scene.cycle.framework_id
    bad = client.post("/cycles", data={"csrf_token": token, "name": "Mid-year", "opens_on": "2027-02-01",
                                       "closes_on": "2027-01-01", "framework": str(framework_id)})
    assert "must close on or after" in bad.get_data(as_text=True)
    client.post("/cycles", data={"csrf_token": token, "name": "Mid-year", "opens_on": "2027-01-05",
                                 "closes_on": "2027-02-15", "framework": str(framework_id)})
    mid_year = f"/cycles/{scene.cycle.id + 1}/open"
    refused = client.post(mid_year, data={"csrf_token": token},
                          follow_redirects=True)
    assert "still open" in refused.get_data(as_text=True)
    client.post(f"/cycles/{scene.cycle.id}/close", data={"csrf_token": token})
    client.post(mid_year, data={"csrf_token": token})
    html = client.get("/cycles").get_data(as_text=True)
    assert html.count("<td>Closed</td>") == 1 and html.count("<td>Open</td>") == 1
