"""The district conditions page: every area with its indicators in both wordings, the scale
with "I don't know" apart; a district reads its own version, never another district's."""

from pdplanner.accounts.models import Role
from pdplanner.cli import DEFAULT_CONDITIONS
from pdplanner.conditions.services import import_conditions, read_conditions_file
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, sign_in_directly


def _teacher(district):
    return create_user(Role.TEACHER, school=create_school(district), district=district)


def test_the_page_shows_every_area_both_wordings_and_the_scale(client, db):
    load_default_framework()
    import_conditions(read_conditions_file(DEFAULT_CONDITIONS))
    sign_in_directly(client, _teacher(create_district()))
    page = client.get("/conditions/framework").get_data(as_text=True)
    assert page.count('<section id="area-') == 13
    for text in ("A comprehensive assessment system", "Transparency",
                 "Every course and grade names the competencies learners work toward",
                 "Students know what skills they are working on", "Taking hold", "I don&#39;t know",
                 "COG.1"):
        assert text in page, text


def test_a_district_reads_its_own_version_and_no_other_districts(client, db):
    load_default_framework()
    document = read_conditions_file(DEFAULT_CONDITIONS)
    import_conditions(document)
    ours, theirs = create_district(), create_district()
    document["title"] = "Conditions as Northfield words them"
    import_conditions(document, district_id=theirs.id)
    sign_in_directly(client, _teacher(ours))
    page = client.get("/conditions/framework").get_data(as_text=True)
    assert "District Conditions for Personalized" in page and "Northfield" not in page
    document["title"] = "Our own conditions"
    import_conditions(document, district_id=ours.id)
    assert "Our own conditions" in client.get("/conditions/framework").get_data(as_text=True)


def test_without_a_conditions_framework_the_page_says_how_to_load_one(client, db):
    sign_in_directly(client, _teacher(create_district()))
    response = client.get("/conditions/framework")
    assert response.status_code == 200 and "flask seed conditions" in response.get_data(as_text=True)
