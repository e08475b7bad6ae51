import copy

import pytest
from sqlalchemy import func, select

from pdplanner.cli import DEFAULT_FRAMEWORK
from pdplanner.framework.models import Competency, Framework, Indicator, LevelDescriptor
from pdplanner.framework.services import (
    FrameworkFormatError,
    canonical_native,
    framework_to_native,
    import_native,
    read_native_file,
)

CODES = ["COG.1", "COG.2", "COG.3", "COG.4", "INTRA.1", "INTRA.2", "INTRA.3", "INTRA.4", "INTRA.5",
         "INTER.1", "INTER.2", "INTER.3", "INTER.4",
         "INST.1", "INST.2", "INST.3", "INST.4", "INST.5", "INST.6"]


@pytest.fixture
def document():
    return read_native_file(DEFAULT_FRAMEWORK)


def test_default_framework_has_the_fixed_codes_in_order(document):
    assert [d["code"] for d in document["domains"]] == ["COG", "INTRA", "INTER", "INST"]
    assert [c["code"] for d in document["domains"] for c in d["competencies"]] == CODES
    assert [lv["label"] for lv in document["scale"]["levels"]] == [
        "Exploring", "Developing", "Proficient", "Leading"]
    assert document["scale"]["target_level"] == 3


def test_every_competency_has_indicators_descriptors_and_provenance(document):
    for competency in (c for d in document["domains"] for c in d["competencies"]):
        assert 2 <= len(competency["indicators"]) <= 4, competency["code"]
        assert sorted(competency["descriptors"]) == [1, 2, 3, 4], competency["code"]
        assert competency["source"] in ("published", "local-adaptation")
    published = {c["code"] for d in document["domains"] for c in d["competencies"]
                 if c["source"] == "published"}
    assert {"INTRA.1", "INTRA.2", "INTRA.3", "INTRA.4", "INTRA.5", "INTER.1"} <= published
    assert not published & {"INST.1", "INST.2", "INST.3", "INST.4", "INST.5", "INST.6"}


def test_import_stores_the_whole_tree_and_round_trips(db, document):
    outcome = import_native(document)
    db.session.commit()
    assert outcome.status == "created"
    assert db.session.scalar(select(func.count(Competency.id))) == 19
    assert db.session.scalar(select(func.count(LevelDescriptor.id))) == 19 * 4
    assert db.session.scalar(select(func.count(Indicator.id))) == sum(
        len(c["indicators"]) for d in document["domains"] for c in d["competencies"])
    db.session.expire_all()
    assert framework_to_native(db.session.get(Framework, outcome.framework.id)) == document


def test_import_of_the_same_content_changes_nothing(db, document):
    first = import_native(document)
    db.session.commit()
    again = import_native(copy.deepcopy(document))
    db.session.commit()
    assert again.status == "unchanged" and again.framework.id == first.framework.id
    assert db.session.scalar(select(func.count(Framework.id))) == 1


def test_changed_content_becomes_a_new_version_and_the_old_stays(db, document):
    first = import_native(document).framework
    db.session.commit()
    edited = copy.deepcopy(document)
    edited["domains"][0]["competencies"][0]["descriptors"][3] = "A clearer Proficient descriptor."
    outcome = import_native(edited)
    db.session.commit()
    assert outcome.status == "new version" and outcome.framework.version == 2
    assert framework_to_native(db.session.get(Framework, first.id))["domains"][0]["competencies"][0][
        "descriptors"][3] == document["domains"][0]["competencies"][0]["descriptors"][3]


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["domains"][1]["competencies"][2]["descriptors"].pop(4),
     "domains[1].competencies[2].descriptors (INTRA.3): needs exactly one descriptor per level"),
    (lambda d: d["scale"].update(target_level=7), "scale.target_level: 7 is not one of"),
    (lambda d: d["domains"][0]["competencies"][1].update(code="COG.1"), "COG.1 is used twice"),
    (lambda d: d["domains"][2]["competencies"][0].update(source="copied"),
     "domains[2].competencies[0].source: 'copied'"),
    (lambda d: d["domains"][3]["competencies"][0].pop("name"),
     "domains[3].competencies[0].name: is required"),
    (lambda d: d.update(domains=[]), "document.domains: must be a non-empty list"),
])
def test_bad_documents_get_a_message_naming_the_field(db, document, mutate, message):
    mutate(document)
    with pytest.raises(FrameworkFormatError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        canonical_native(document)


def test_unreadable_yaml_is_reported_with_the_file_name(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("slug: [unclosed\n")
    with pytest.raises(FrameworkFormatError, match="broken.yaml: not valid YAML"):
        read_native_file(bad)


def test_json_and_a_byte_order_mark_are_accepted(tmp_path, document):
    import json

    path = tmp_path / "framework.json"
    path.write_text("\ufeff" + json.dumps(document), encoding="utf-8")
    assert read_native_file(path) == canonical_native(json.loads(json.dumps(document)))
