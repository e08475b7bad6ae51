"""Issue 12 item 1 replayed: a principal polls her school's figures and the participation export
before and after each autosave of an unshared teacher, and after her submit, and tries to
recover the new rating as n2*m2 - n1*m1. No read may let her: the figures a leader reads come
from submitted self-assessments only and move only once five unshared people have changed."""

import io
import json
import zipfile

import pytest

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import RatingInput, save_self_ratings, set_sharing, submit_self_assessment
from tests.factories import create_user
from tests.privacy.curious import add_teacher, between, district_reads, get, participation, principal_reads
from tests.scenarios import District

K = 5


@pytest.fixture
def town(db):
    """Six teachers who submitted (all at level 2) and Tess, who has not shared and is typing."""
    d = District(db, teachers=6, level=2, submitted=True)
    d.tess = create_user(Role.TEACHER, school=d.schools[0], coach=d.coaches[0], given_name="Tess")
    return d


def autosave(d, code: str, level: int):
    from pdplanner.extensions import db
    save_self_ratings(d.tess, d.cycle, [RatingInput(code, level=level)])
    db.session.commit()


def recoverable(before: dict, after: dict) -> list[str]:
    """Figures (people, mean) that changed between two readiness reads while fewer than K
    people changed: from each, n2*m2 - n1*m1 is one person's contribution."""
    moved = []
    for b, a in zip(before["competencies"], after["competencies"], strict=True):
        for view in ("self", "coach", "current", "at_target"):
            if (b[view]["people"], b[view]["mean"]) != (a[view]["people"], a[view]["mean"]):
                moved.append(f"{b['competency']} {view}: {b[view]} -> {a[view]}")
    for b, a in zip(before["domains"], after["domains"], strict=True):
        if b != a:
            moved.append(f"domain {b['domain']}: {b} -> {a}")
    if before["readiness"] != after["readiness"]:
        moved.append(f"readiness: {before['readiness']} -> {after['readiness']}")
    return moved


def test_autosaves_and_a_submit_of_one_unshared_teacher_move_no_figure(db, client, town):
    d, principal, school = town, town.principals[0], town.schools[0]
    first = principal_reads(client, principal, school, d.cycle)
    for code, level in (("COG.1", 4), ("COG.2", 1), ("COG.1", 3)):
        autosave(d, code, level)
        now = principal_reads(client, principal, school, d.cycle)
        assert recoverable(first["readiness api"], now["readiness api"]) == []
        assert now == first, f"a read moved after {d.tess.name}'s autosave of {code}"
    for c in d.cycle.framework.competencies:
        autosave(d, c.code, 4)
    submit_self_assessment(d.tess, d.cycle)
    db.session.commit()
    assert principal_reads(client, principal, school, d.cycle) == first


def test_the_participation_export_shows_an_unshared_teachers_status_not_her_count(db, client, town):
    d, principal = town, town.principals[0]
    before = participation(client, principal, d.cycle)[d.tess.email]
    autosave(d, "COG.1", 4)
    after = participation(client, principal, d.cycle)[d.tess.email]
    assert (before["self_assessment"], after["self_assessment"]) == ("not_started", "in_progress")
    assert after["self_rated"] == "" and after["xlsx self_rated"] is None
    assert {k: v for k, v in before.items() if k != "self_assessment"} == \
        {k: v for k, v in after.items() if k != "self_assessment"}
    # Her coach guides her and sees how far she is; so does she.
    assert participation(client, d.coaches[0], d.cycle)[d.tess.email]["self_rated"] == "1"
    # Shared, her count is the principal's to see, as her ratings are.
    set_sharing(d.tess, d.cycle, True)
    db.session.commit()
    assert participation(client, principal, d.cycle)[d.tess.email]["self_rated"] == "1"


def test_figures_move_only_once_k_unshared_people_changed_and_then_by_k_people(db, client, town):
    d, principal, school = town, town.principals[0], town.schools[0]
    first = get(client, principal, f"/api/v1/schools/{school.id}/readiness?cycle={d.cycle.id}").get_json()
    newcomers = [add_teacher(school, d.coaches[0], d.cycle, level=4, submit=False) for _ in range(K)]
    db.session.commit()
    for n, teacher in enumerate(newcomers, start=1):
        submit_self_assessment(teacher, d.cycle)
        db.session.commit()
        now = get(client, principal, f"/api/v1/schools/{school.id}/readiness?cycle={d.cycle.id}").get_json()
        if n < K:
            assert recoverable(first, now) == [], f"a figure moved after {n} submission(s)"
    moved = [(b["self"], a["self"]) for b, a in zip(first["competencies"], now["competencies"], strict=True)]
    assert all(a["people"] - b["people"] == K for b, a in moved)      # the difference covers five people
    assert moved[0][1]["mean"] == round((6 * 2 + K * 4) / (6 + K), 1)


def test_people_who_share_cannot_be_subtracted_to_isolate_the_rest(db, client):
    """Six submitted, two of them share: a principal knows their ratings, so the published mean
    covers four unknown people, below the threshold: withheld."""
    d = District(db, teachers=6, level=2, submitted=True)
    for teacher in d.teachers[:2]:
        set_sharing(teacher, d.cycle, True)
    db.session.commit()
    body = get(client, d.principals[0],
               f"/api/v1/schools/{d.schools[0].id}/readiness?cycle={d.cycle.id}").get_json()
    assert all(c[view]["mean"] is None for c in body["competencies"] for view in ("self", "coach", "current"))
    assert all(domain["mean"] is None for domain in body["domains"])


def test_a_coach_reads_a_schools_counts_but_no_rating_figure(db, client, town):
    body = get(client, town.coaches[0],
               f"/api/v1/schools/{town.schools[0].id}/readiness?cycle={town.cycle.id}").get_json()
    assert body["participation"]["submitted"] == 6
    assert all(c["self"]["mean"] is None and c["self"]["suppressed"] for c in body["competencies"])


def test_the_district_totals_do_not_move_with_one_teachers_autosaves_or_submit(db, client, town):
    d = town
    first = district_reads(client, d.admin, d.district, d.cycle)
    autosave(d, "COG.1", 4)
    second = district_reads(client, d.admin, d.district, d.cycle)
    for c in d.cycle.framework.competencies:
        autosave(d, c.code, 4)
    submit_self_assessment(d.tess, d.cycle)
    db.session.commit()
    third = district_reads(client, d.admin, d.district, d.cycle)
    for read in (second, third):
        assert read["totals"]["domains"] == first["totals"]["domains"]
        assert [s["domains"] for s in read["schools"]] == [s["domains"] for s in first["schools"]]


def every_page(client, user, url: str) -> list:
    items, page = [], 1
    while True:
        body = get(client, user, f"{url}&page={page}&per_page=2").get_json()
        items += body["items"]
        if page >= body["pages"]:
            return items
        page += 1


def test_variants_pagination_cycles_the_district_page_and_the_district_export(db, client, town):
    """The same poll through the other doors: the API's paginated lists, the district page and
    a school narrowed on it, an explicit cycle, the district export's JSON."""
    d, admin, principal = town, town.admin, town.principals[0]
    q = f"cycle={d.cycle.id}"

    def reads():
        district_page = get(client, admin, f"/?{q}").get_data(as_text=True)
        narrowed = get(client, admin, f"/?{q}&school={d.schools[0].id}").get_data(as_text=True)
        export = get(client, admin, "/exports/district.zip").data
        document = json.loads(zipfile.ZipFile(io.BytesIO(export)).read("data.json"))
        return {
            "educators": every_page(client, principal, f"/api/v1/educators?{q}"),
            "district page": between(district_page, 'id="competencies-heading"'),
            "district domains": between(district_page, "Schools side by side", "</table>"),
            "narrowed": between(narrowed, 'id="competencies-heading"'),
            "tess in the export": [r for r in document["tables"]["ratings"] if r["educator_id"] == d.tess.id],
        }

    first = reads()
    autosave(d, "COG.1", 4)
    assert reads() == first
    for c in d.cycle.framework.competencies:
        autosave(d, c.code, 1)
    submit_self_assessment(d.tess, d.cycle)
    db.session.commit()
    assert reads() == first


def test_a_principal_who_coaches_four_cannot_subtract_them_from_a_publication(db, client, town):
    """She coaches four new teachers and knows their ratings; with Tess, five people submit. Were
    only sharers known, five unknown people would republish the figures, and subtracting her
    four coachees' known levels would leave Tess's. Her caseload counts as known: no figure moves."""
    from pdplanner.organisation.models import CaseloadAssignment

    d, principal, school = town, town.principals[0], town.schools[0]
    first = principal_reads(client, principal, school, d.cycle)
    coachees = [create_user(Role.TEACHER, school=school, given_name=f"Coachee{i}") for i in range(4)]
    db.session.add_all(CaseloadAssignment(coach_id=principal.id, educator_id=c.id) for c in coachees)
    db.session.commit()
    for person in [*coachees, d.tess]:
        save_self_ratings(person, d.cycle,
                          [RatingInput(c.code, level=4) for c in d.cycle.framework.competencies])
        submit_self_assessment(person, d.cycle)
    db.session.commit()
    assert principal_reads(client, principal, school, d.cycle) == first
