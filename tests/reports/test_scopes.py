"""Each role gets exactly the rows SPEC section 9 allows, and the set-based rules of
pdplanner/scopes.py agree with the predicates of permissions.py for every viewer and educator."""

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import User
from pdplanner.permissions import can_lead_cohort, can_see_person, can_see_plan, can_see_ratings, guides
from pdplanner.planning.models import Cohort, Placement, PlannedGoal
from pdplanner.reports import rows as export_rows

VIEWERS = ["ann", "ben", "cora", "otto", "pia", "pam", "admin", "sam"]


def emails(rows) -> set[str]:
    return {r["educator_email"] for r in rows}


def everyone_rated(district) -> set[str]:
    return {p.email for p in district.people.values()}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_ratings_rows_follow_can_see_ratings(district, viewer):
    who = district.people[viewer]
    expected = {p.email for p in district.people.values() if can_see_ratings(who, p, district.cycle)}
    rated = emails(export_rows.ratings_rows(who, district.cycle))
    assert rated == expected & {"ann@home.org", "ben@home.org", "cal@home.org", "dee@home.org",
                                "cora@home.org"}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_goal_rows_follow_can_see_plan_and_blank_what_is_not_shared(db, district, viewer):
    who, cycle = district.people[viewer], district.cycle
    with_goals = set(db.session.scalars(
        select(PlannedGoal.educator_id).where(PlannedGoal.cycle_id == cycle.id)))
    rows = export_rows.goals_rows(who, cycle)
    assert {r["educator_id"] for r in rows} == {
        p.id for p in district.people.values() if p.id in with_goals and can_see_plan(who, p, cycle.id)}
    for row in rows:
        educator = db.session.get(User, row["educator_id"])
        detail = can_see_ratings(who, educator, cycle) or guides(who, educator, cycle.id)
        assert (row["to_level"] is not None) == (row["why"] is not None) == detail, (viewer, educator.email)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_participation_rows_follow_can_see_person(district, viewer):
    who = district.people[viewer]
    rows = export_rows.participation_rows(who, district.cycle)
    educators = {"ann", "ben", "cal", "dee", "cora", "otto"}
    expected = {district.people[n].email for n in educators if can_see_person(who, district.people[n])}
    assert emails(rows) == expected


EXPECTED_RATED = {
    "ann": {"ann"},
    "ben": {"ben"},
    "cora": {"cora", "ann", "ben"},         # own and caseload, self and coach ratings
    "otto": {"cal"},                        # not Cora's caseload; Otto has no self-ratings
    "pia": {"ben"},                         # her school, only who shared
    "pam": {"dee"},
    "admin": {"ben", "dee"},                # the district, only who shared
    "sam": set(),                           # another district's cycle: nothing
}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_role_gets_exactly_its_ratings(district, viewer):
    rows = export_rows.ratings_rows(district.people[viewer], district.cycle)
    assert emails(rows) == {district.people[n].email for n in EXPECTED_RATED[viewer]}


def test_coach_sees_coach_ratings_of_her_caseload_and_the_self_ratings(district):
    rows = export_rows.ratings_rows(district.people["cora"], district.cycle)
    ann = [r for r in rows if r["educator_email"] == "ann@home.org"]
    assert {r["rater_kind"] for r in ann} == {"self", "coach"}
    assert len([r for r in ann if r["rater_kind"] == "self"]) == 19


def test_not_yet_observed_is_not_a_blank(district):
    rows = export_rows.ratings_rows(district.people["ann"], district.cycle)
    by_code = {r["competency_code"]: r for r in rows}
    assert by_code["COG.2"]["level"] is None and by_code["COG.2"]["not_observed"] is True
    assert by_code["COG.2"]["level_label"] == "Not yet observed"
    assert by_code["COG.1"]["level"] == 2 and by_code["COG.1"]["level_label"] == "Developing"
    assert by_code["COG.1"]["domain_code"] == "COG" and by_code["COG.1"]["school_codes"] == "S1"


def test_principal_sees_cohorts_of_her_school_but_members_only_as_people_she_may_see(district):
    rows = export_rows.cohorts_rows(district.people["pia"], district.cycle)
    assert rows
    for row in rows:
        assert "S1" in row["school_codes"].split(";")
        assert "dee@home.org" not in row["member_emails"]
    pam_rows = export_rows.cohorts_rows(district.people["pam"], district.cycle)
    assert all("ann@home.org" not in r["member_emails"] for r in pam_rows)


def test_nobody_gets_another_districts_rows(district):
    sam = district.people["sam"]
    for viewer in ("admin", "pia", "cora"):
        who = district.people[viewer]
        assert sam.email not in emails(export_rows.ratings_rows(who, district.away_cycle))
        assert sam.email not in emails(export_rows.goals_rows(who, district.away_cycle))
        assert sam.email not in emails(export_rows.participation_rows(who, district.away_cycle))
        assert sam.email not in emails(export_rows.ratings_rows(who, None))


def test_district_tables_for_the_admin_hold_every_person_and_only_shared_ratings(district):
    tables = export_rows.district_rows(district.people["admin"])
    assert {r["email"] for r in tables["people"]} == everyone_rated(district) - {"sam@away.org"}
    assert emails(tables["ratings"]) == {"ben@home.org", "dee@home.org"}
    unshared = [r for r in tables["path_activities"] if r["educator_email"] == "ann@home.org"]
    assert unshared and all(r["reflection"] is None for r in unshared)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_cohort_rows_list_exactly_the_members_the_viewer_may_see(db, district, viewer):
    """With a second cohort, led by Otto, for Cal and Dee: Cora leads one cohort but not theirs."""
    cycle = district.cycle
    cal, dee = district.people["cal"], district.people["dee"]
    otto_cohort = Cohort(cycle_id=cycle.id, key="otto", lane="slow", focus="COG.2",
                         coach_id=district.people["otto"].id,
                         school_ids=sorted(cal.school_ids() | dee.school_ids()))
    db.session.add(otto_cohort)
    db.session.flush()
    for member in (cal, dee):
        db.session.scalar(select(Placement).where(
            Placement.cycle_id == cycle.id, Placement.educator_id == member.id)).cohort_id = otto_cohort.id
    db.session.commit()
    who = district.people[viewer]
    cohorts = {c.id: c for c in db.session.scalars(select(Cohort).where(Cohort.cycle_id == cycle.id))}
    members: dict[int, set[User]] = {}
    for placement in db.session.scalars(select(Placement).where(Placement.cohort_id.in_(cohorts))):
        members.setdefault(placement.cohort_id, set()).add(db.session.get(User, placement.educator_id))
    expected = {}
    for cohort_id, cohort in cohorts.items():
        in_it = members.get(cohort_id, set())
        everyone = cohort.coach_id == who.id or who in in_it
        shown = {m.email for m in in_it if everyone or can_see_plan(who, m, district.cycle.id)}
        if can_lead_cohort(who, cohort) or shown:
            expected[cohort_id] = shown
    rows = export_rows.cohorts_rows(who, district.cycle)
    assert {r["cohort_id"]: set(filter(None, r["member_emails"].split(";"))) for r in rows} == expected
