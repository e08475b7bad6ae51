"""Peers (issue 12 item 4): Tia, a teacher in Una's cohort, and Olga, who coaches only Pete, a
member, see the cohort's members, coach and focus, and nothing of any other member: not their
lane (the cohort's lane and its name's lane label), not the cohort's why (which names the
members' top goals, their lane and how many their coach coaches), not their plan, numbers or
progress."""

import re

import pytest

from tests.privacy.leaks import csv_rows, json_text, leaks, pdf_text

PEERS = ["tia", "olga"]
LANE_LABELS = ("Ready to move", "Building readiness")


def assert_lane_free(text: str, where: str) -> None:
    found = [label for label in LANE_LABELS if label in text] + re.findall(r"top goals?\b|\bin the \"", text)
    assert not found, f"{where} shows a lane or the members' goals: {found}"


@pytest.mark.parametrize("peer", PEERS)
def test_cohort_api_gives_members_and_focus_not_the_lane(school, client_as, peer):
    response = client_as(peer).get(f"/api/v1/cohorts/{school.cohort_id}")
    assert response.status_code == 200
    document = response.json
    assert {m["id"] for m in document["members"]} == {school.ids[n] for n in ("una", "tia", "pete", "vic")}
    assert document["focus"]
    assert document["lane"] is None and document["why"] is None
    assert_lane_free(document["name"], "the cohort's name")


def test_the_cohort_coach_and_the_principal_still_see_its_lane(school, client_as):
    for leader in ("cora", "pia"):
        document = client_as(leader).get(f"/api/v1/cohorts/{school.cohort_id}").json
        assert document["lane"] == school.lane and document["why"]


def test_coach_of_one_member_cohort_list_has_no_lane(school, client_as):
    response = client_as("olga").get(f"/api/v1/cohorts?cycle={school.cycle_id}")
    assert response.status_code == 200
    cohorts = [c for c in response.json["items"] if c["id"] == school.cohort_id]
    assert cohorts, "Olga's caseload member is in the cohort: she sees it"
    for cohort in cohorts:
        assert cohort["lane"] is None and cohort["why"] is None
        assert_lane_free(cohort["name"], "the cohort list")


@pytest.mark.parametrize("lane", ["fast", "slow"])
def test_coach_of_one_member_cannot_filter_cohorts_by_lane_to_learn_it(school, client_as, lane):
    response = client_as("olga").get(f"/api/v1/cohorts?cycle={school.cycle_id}&lane={lane}")
    assert response.status_code == 200
    assert school.cohort_id not in {c["id"] for c in response.json["items"]}


def test_coach_of_one_member_planning_page_shows_the_cohort_without_lane_or_why(school, client_as):
    html = client_as("olga").get(f"/planning?cycle={school.cycle_id}").get_data(as_text=True)
    start = html.index(f'id="cohort-{school.cohort_id}"')
    article = html[start:html.index("</article>", start)]
    assert "Una Unshared" in article                       # the members, by name
    assert_lane_free(article, "the cohort on Olga's planning page")
    assert f"/educators/{school.ids['una']}/plan" not in article   # no way into another member's plan


def test_member_plan_page_shows_the_cohort_without_its_why(school, client_as):
    html = client_as("tia").get(f"/plan?cycle={school.cycle_id}").get_data(as_text=True)
    start = html.index('id="cohort-heading"')
    section = html[start:html.index("</section>", start)]
    assert "Una Unshared" in section
    assert not re.findall(r"top goals?\b|already coaches", section)


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize("what", ["plan", "lane", "path"])
def test_another_members_plan_lane_and_path_are_not_found(school, client_as, peer, what):
    for member in ("una", "vic"):
        response = client_as(peer).get(f"/api/v1/educators/{school.ids[member]}/{what}"
                                       f"?cycle={school.cycle_id}&page=1&per_page=1")
        assert response.status_code == 404, (member, what)


@pytest.mark.parametrize("peer", PEERS)
def test_another_members_growth_plan_pdf_and_page_are_not_found(school, client_as, peer):
    client = client_as(peer)
    pdf = client.get(f"/reports/educators/{school.ids['una']}/growth-plan.pdf?cycle={school.cycle_id}")
    assert pdf.status_code == 404
    assert client.get(f"/educators/{school.ids['una']}/plan?cycle={school.cycle_id}").status_code == 404


def test_member_growth_plan_pdf_shows_her_cohort_without_its_why(school, client_as):
    response = client_as("tia").get(f"/reports/educators/{school.ids['tia']}/growth-plan.pdf"
                                    f"?cycle={school.cycle_id}")
    assert response.status_code == 200
    text = pdf_text(response.data).replace("\n", " ")
    assert "Una Unshared" in text
    assert not re.findall(r"top goals?\b|already coaches", text)


@pytest.mark.parametrize("peer", PEERS)
def test_peer_exports_hold_no_other_members_lane_or_numbers(school, client_as, peer):
    client = client_as(peer)
    own = {"tia": {school.ids["tia"]}, "olga": {school.ids["olga"], school.ids["pete"]}}[peer]
    for table in ("goals", "participation", "ratings"):
        rows = csv_rows(client.get(f"/exports/{table}.csv?cycle={school.cycle_id}").data)
        assert {int(r["educator_id"]) for r in rows} <= own, table
    cohorts = [r for r in csv_rows(client.get(f"/exports/cohorts.csv?cycle={school.cycle_id}").data)
               if r["cohort_id"] == str(school.cohort_id)]
    assert cohorts, "the cohort is listed for whoever sees one of its members"
    for row in cohorts:
        assert row["lane"] == "" and row["lane_label"] == ""
        assert_lane_free(row["cohort_name"], "cohorts.csv")
        assert_lane_free(json_text(row), "cohorts.csv")
        assert not leaks(json_text(row))
