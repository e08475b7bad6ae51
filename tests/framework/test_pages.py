import re

from markupsafe import escape

from tests.factories import create_user
from tests.helpers import load_default_framework, sign_in_directly


def test_framework_page_shows_all_competencies_with_indicators_and_descriptors(db, client):
    framework = load_default_framework()
    db.session.commit()
    sign_in_directly(client, create_user())
    html = client.get(f"/frameworks/{framework.id}").get_data(as_text=True)
    articles = re.findall(r'<article id="competency-([A-Z]+\.\d)"', html)
    assert len(articles) == 19
    for competency in framework.competencies:
        assert str(escape(competency.name)) in html
        for indicator in competency.indicators:
            assert str(escape(indicator.text)) in html
        for descriptor in competency.descriptors:
            assert str(escape(descriptor.text)) in html
    assert html.count('<table class="descriptors">') == 19


def test_framework_index_goes_straight_to_the_only_framework(db, client):
    framework = load_default_framework()
    db.session.commit()
    sign_in_directly(client, create_user())
    assert client.get("/frameworks/").headers["Location"] == f"/frameworks/{framework.id}"


def test_about_page_says_which_competencies_are_published_and_which_local(db, client):
    framework = load_default_framework()
    db.session.commit()
    sign_in_directly(client, create_user())
    html = client.get(f"/frameworks/{framework.id}/about").get_data(as_text=True)
    published_part, local_part = html.split("Local adaptation (")
    assert "INTRA.5" in published_part and "INST.3" not in published_part
    assert "INST.3" in local_part and "INTRA.5" not in local_part
    assert "CCSSO" in html
