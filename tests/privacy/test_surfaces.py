"""Every surface that shows one person, tried by a curious principal and a curious district
admin on Una, who did not share her ratings (issue 12 item 2). Each test fails if one of her
levels, a number computed from them (lane numbers, gaps, whys that name levels), a reflection,
an evidence link or file, or a coach's note reaches them. The rule they apply is
permissions.person_view (test_person_view.py)."""

import pytest
from sqlalchemy import select

from pdplanner.assessments.models import EvidenceFile
from pdplanner.extensions import db
from tests.privacy.conftest import EVIDENCE_FILE, EVIDENCE_URL, REFLECTION
from tests.privacy.leaks import csv_rows, json_text, leaks, pdf_text, xlsx_text, zip_texts

LEADERS = ["pia", "ada"]


def educator_api(client, school, name: str, what: str) -> dict:
    """GET /api/v1/educators/<name's id>/<what>?cycle=<the scenario's cycle>."""
    response = client.get(f"/api/v1/educators/{school.ids[name]}/{what}?cycle={school.cycle_id}")
    assert response.status_code == 200, (what, response.status_code)
    return response.json


# -- every surface, as a curious leader ------------------------------------------------------

def assert_no_leak(text: str, where: str, titles=()) -> None:
    """`titles`: the catalogue activities on Una's path, each of which tells the levels it suits."""
    found = leaks(text) + [f"activity {title!r}" for title in titles if title in text]
    assert not found, f"{where} leaks Una's levels or evidence: {found[:3]}"


@pytest.mark.parametrize("leader", LEADERS)
def test_plan_page_shows_the_plan_without_levels_or_evidence(school, client_as, leader):
    response = client_as(leader).get(f"/educators/{school.ids['una']}/plan?cycle={school.cycle_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Una Unshared" in html and "Goals" in html
    assert "An activity for a step in" in html           # the activities' whys, in their private wording
    assert school.lane_why not in html
    assert_no_leak(html, "the plan page", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
def test_plan_api_blanks_levels_and_words_whys_without_them(school, client_as, leader):
    document = educator_api(client_as(leader), school, "una", "plan")
    assert document["ratings_visible"] is False
    assert document["goals"], "Una has goals"
    for goal in document["goals"]:
        assert goal["from_level"] is None and goal["to_level"] is None and goal["why"] is None
        for activity in goal["activities"]:
            assert activity["why"].startswith("An activity for a step in")
            assert activity["reflection"] is None and activity["evidence_url"] is None
    assert document["lane"]["name"] == school.lane
    assert document["lane"]["why"] != school.lane_why
    assert_no_leak(json_text(document), "GET /educators/{id}/plan", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize("what", ["plan", "lane"])
def test_without_a_cycle_the_default_cycle_is_redacted_too(school, client_as, leader, what):
    response = client_as(leader).get(f"/api/v1/educators/{school.ids['una']}/{what}")
    assert response.status_code == 200
    assert response.json["cycle"] == school.cycle_id
    assert_no_leak(json_text(response.json), f"GET /educators/{{id}}/{what} without ?cycle=",
                   school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
def test_lane_api_gives_the_lane_without_its_numbers(school, client_as, leader):
    document = educator_api(client_as(leader), school, "una", "lane")
    assert document["lane"] == school.lane
    for name in ("rated", "at_target", "lowest_domain", "lowest_domain_mean"):
        assert document[name] is None, name
    assert_no_leak(json_text(document), "GET /educators/{id}/lane", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
def test_path_api_every_page_is_redacted(school, client_as, leader):
    client = client_as(leader)
    seen, page = [], 1
    while True:
        response = client.get(f"/api/v1/educators/{school.ids['una']}/path?cycle={school.cycle_id}"
                              f"&page={page}&per_page=1")
        assert response.status_code == 200
        items = response.json["items"]
        if not items:
            break
        seen += items
        page += 1
    assert len(seen) >= 2
    for item in seen:
        assert item["reflection"] is None and item["evidence_url"] is None and item["coach_note"] is None
    assert_no_leak(json_text(seen), "GET /educators/{id}/path", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
def test_growth_plan_pdf_has_no_levels_or_lane_numbers(school, client_as, leader):
    response = client_as(leader).get(f"/reports/educators/{school.ids['una']}/growth-plan.pdf"
                                     f"?cycle={school.cycle_id}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Una Unshared" in text
    assert_no_leak(text.replace("\n", " "), "the growth-plan PDF", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
def test_planning_page_row_of_una_has_no_lane_numbers(school, client_as, leader):
    html = client_as(leader).get(f"/planning?cycle={school.cycle_id}&school={school.school_id}").get_data(
        as_text=True)
    row = html[html.index("Una Unshared"):]
    row = row[:row.index("</tr>")]
    assert_no_leak(row, "Una's row on the planning page", school.activity_titles)


@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize("table", ["goals", "participation", "cohorts", "ratings"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_cycle_exports_hold_nothing_of_unas_levels(school, client_as, leader, table, extension):
    response = client_as(leader).get(f"/exports/{table}.{extension}?cycle={school.cycle_id}")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig") if extension == "csv" else xlsx_text(response.data)
    una_lines = [line for line in text.splitlines() if "Una Unshared" in line]
    assert_no_leak("\n".join(una_lines), f"{table}.{extension}", school.activity_titles)
    if table == "goals" and extension == "csv":
        rows = [r for r in csv_rows(response.data) if r["educator_id"] == str(school.ids["una"])]
        assert rows and all(r["from_level"] == r["to_level"] == r["why"] == "" for r in rows)
    if table == "ratings" and extension == "csv":
        assert not [r for r in csv_rows(response.data) if r["educator_id"] == str(school.ids["una"])]


def test_district_export_blanks_unas_lane_numbers_whys_and_evidence(school, client_as):
    response = client_as("ada").get("/exports/district.zip")
    assert response.status_code == 200
    files = zip_texts(response.data)
    for name in ("placements.csv", "path_activities.csv", "goals.csv"):
        rows = [r for r in csv_rows(files[name].encode()) if r["educator_id"] == str(school.ids["una"])]
        assert rows, name
        assert_no_leak(json_text(rows), f"district.zip {name}", school.activity_titles)
    placement = next(r for r in csv_rows(files["placements.csv"].encode())
                     if r["educator_id"] == str(school.ids["una"]))
    assert placement["lane"] == school.lane
    assert all(placement[n] == "" for n in ("readiness", "rated", "at_target", "lowest_domain_mean"))
    data = files["data.json"]
    una_rows = [line for line in data.splitlines() if f'"educator_id": {school.ids["una"]}' in line]
    assert_no_leak("\n".join(una_rows), "district.zip data.json", school.activity_titles)
    for marker in (REFLECTION, EVIDENCE_URL, EVIDENCE_FILE):
        assert marker not in data


def test_evidence_file_is_not_found_for_leaders(school, client_as):
    file_id = db.session.scalar(select(EvidenceFile.id).where(EvidenceFile.original_name == EVIDENCE_FILE))
    expected = {"pia": 404, "ada": 404, "tia": 404, "olga": 404, "una": 200, "cora": 200}
    for name, status in expected.items():
        assert client_as(name).get(f"/evidence/{file_id}").status_code == status, name


def test_the_educator_and_her_coach_still_see_everything(school, client_as):
    """The rule takes nothing from those who may see it all: the same surfaces, with the levels."""
    for name, page in (("una", "/plan"), ("cora", f"/educators/{school.ids['una']}/plan")):
        client = client_as(name)
        html = client.get(f"{page}?cycle={school.cycle_id}").get_data(as_text=True)
        assert leaks(html), f"{name} should see Una's levels"
        assert REFLECTION in html and EVIDENCE_URL in html
        lane = educator_api(client, school, "una", "lane")
        assert lane["at_target"] is not None and lane["why"] == school.lane_why


def test_a_leader_sees_the_levels_of_who_shared(school, client_as):
    """Vic shared: his principal sees his levels (the tests above are not blind)."""
    document = educator_api(client_as("pia"), school, "vic", "plan")
    assert document["ratings_visible"] is True
    assert any(goal["from_level"] is not None for goal in document["goals"])
    assert leaks(json_text(document), evidence=False)
