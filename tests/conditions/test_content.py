"""The shipped conditions framework: thirteen areas in the issue's words, plain indicators, a
four-level scale with "I don't know" apart, and a mapping to competencies that exist."""

import pytest

from pdplanner.cli import DEFAULT_CONDITIONS, DEFAULT_FRAMEWORK
from pdplanner.conditions.services import read_conditions_file
from pdplanner.framework.services import read_native_file

AREAS = [
    ("CUR", "Curriculum", "condition"), ("INS", "Instruction", "condition"),
    ("ASM", "A comprehensive assessment system", "condition"),
    ("ENV", "Learning environments", "condition"), ("SUP", "Student supports", "condition"),
    ("PD", "Professional development", "condition"), ("LEAD", "Leadership development", "condition"),
    ("TECH", "Technology policy", "condition"), ("DATA", "A comprehensive data system", "condition"),
    ("COMM", "Community partnerships", "condition"),
    ("VIS", "Vision", "theme"), ("CULT", "Culture", "theme"), ("TRAN", "Transparency", "theme"),
]


@pytest.fixture(scope="module")
def document():
    return read_conditions_file(DEFAULT_CONDITIONS)


def test_the_thirteen_areas_their_names_kinds_and_provenance(document):
    assert [(a["code"], a["name"], a["kind"]) for a in document["areas"]] == AREAS
    assert {a["source"] for a in document["areas"]} == {"published"}


def test_each_area_has_three_to_five_plain_indicators_of_our_own(document):
    for area in document["areas"]:
        assert 3 <= len(area["indicators"]) <= 5, area["code"]
        for indicator in area["indicators"]:
            assert indicator["source"] == "local-adaptation", indicator["code"]
            assert indicator["code"].startswith(area["code"] + "."), indicator["code"]
            assert indicator["statement"].endswith("."), indicator["code"]
            assert indicator["family_statement"] != indicator["statement"], indicator["code"]
    with_family_wording = [i for a in document["areas"] for i in a["indicators"] if i["family_statement"]]
    assert len(with_family_wording) > 30


def test_the_scale_has_four_growth_framed_levels_and_dont_know_apart(document):
    scale = document["scale"]
    assert [lv["value"] for lv in scale["levels"]] == [1, 2, 3, 4]
    assert all(lv["label"] and lv["description"] for lv in scale["levels"])
    assert len({lv["label"] for lv in scale["levels"]}) == 4
    assert scale["dont_know_label"] == "I don't know"
    assert scale["dont_know_label"] not in {lv["label"] for lv in scale["levels"]}


def test_every_mapped_competency_exists_in_the_seeded_educator_framework(document):
    educator = read_native_file(DEFAULT_FRAMEWORK)
    assert document["competency_framework"] == educator["slug"]
    codes = {c["code"] for d in educator["domains"] for c in d["competencies"]}
    mapped = {code for area in document["areas"] for code in area["competencies"]}
    assert mapped <= codes, sorted(mapped - codes)
    assert all(area["competencies"] for area in document["areas"])
