"""Importing a conditions framework: versioned like educator frameworks, validated before
anything is written, with messages naming the row, field and value."""

import copy
import re

import pytest
from sqlalchemy import func, select, update

from pdplanner.audit.models import AuditEvent
from pdplanner.cli import DEFAULT_CONDITIONS
from pdplanner.conditions.models import (
    ConditionArea,
    ConditionIndicator,
    ConditionsFramework,
    StoredVersionEdited,
)
from pdplanner.conditions.services import (
    canonical_conditions,
    conditions_to_native,
    import_conditions,
    read_conditions_file,
)
from pdplanner.extensions import db
from pdplanner.framework.services import FrameworkFormatError
from tests.factories import create_district
from tests.helpers import load_default_framework


@pytest.fixture
def document():
    return read_conditions_file(DEFAULT_CONDITIONS)


@pytest.fixture
def educator_framework(db):
    return load_default_framework()


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_import_stores_the_whole_tree_and_round_trips(db, educator_framework, document):
    outcome = import_conditions(document)
    db.session.commit()
    assert outcome.status == "created" and outcome.framework.version == 1
    assert _count(ConditionArea) == 13
    assert _count(ConditionIndicator) == sum(len(a["indicators"]) for a in document["areas"])
    db.session.expire_all()
    stored = db.session.get(ConditionsFramework, outcome.framework.id)
    assert conditions_to_native(stored) == document
    assert stored.levels[0].label == "Starting out" and stored.dont_know_label == "I don't know"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conditions_framework.imported"))
    assert event.details == {"slug": "district-conditions", "version": 1}


def test_the_same_content_again_changes_nothing(db, educator_framework, document):
    first = import_conditions(document)
    db.session.commit()
    again = import_conditions(copy.deepcopy(document))
    db.session.commit()
    assert again.status == "unchanged" and again.framework.id == first.framework.id
    assert _count(ConditionsFramework) == 1 and _count(ConditionArea) == 13


def test_changed_content_is_a_new_version_and_the_old_one_stays(db, educator_framework, document):
    first = import_conditions(document).framework
    db.session.commit()
    edited = copy.deepcopy(document)
    edited["areas"][0]["indicators"][0]["family_statement"] = "Students can name the skills they work on."
    outcome = import_conditions(edited)
    db.session.commit()
    assert outcome.status == "new version" and outcome.framework.version == 2
    db.session.expire_all()
    old = conditions_to_native(db.session.get(ConditionsFramework, first.id))
    assert old == document
    assert _count(ConditionsFramework) == 2 and _count(ConditionArea) == 26


def test_each_district_versions_its_own(db, educator_framework, document):
    shared = import_conditions(document).framework
    own = import_conditions(document, district_id=create_district().id)
    assert own.status == "created" and own.framework.id != shared.id and own.framework.version == 1


def test_a_stored_version_is_never_edited(db, educator_framework, document):
    framework = import_conditions(document).framework
    db.session.commit()
    framework.areas[0].indicators[0].statement = "Quietly reworded."
    with pytest.raises(StoredVersionEdited, match="never edited"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(StoredVersionEdited, match="condition_areas"):
        db.session.execute(update(ConditionArea).values(name="Renamed"))
    db.session.rollback()
    assert db.session.get(ConditionsFramework, framework.id).areas[0].indicators[0].statement == (
        document["areas"][0]["indicators"][0]["statement"])


def _set(path, value):
    def mutate(d):
        *parents, last = path
        node = d
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


def _drop(path):
    def mutate(d):
        *parents, last = path
        node = d
        for key in parents:
            node = node[key]
        node.pop(last)
    return mutate


@pytest.mark.parametrize("mutate,message", [
    (_set(["scale", "levels", 3, "value"], 5),
     "scale.levels[3].value: 5 is not a level of the implementation scale (1, 2, 3, 4)"),
    (_drop(["scale", "levels", 1]), "scale.levels: level 2 is missing"),
    (_set(["scale", "levels", 1, "value"], 1), "scale.levels[1].value: level 1 is given twice"),
    (_set(["scale", "target_level"], 7), "scale.target_level: 7 is not a level of the scale"),
    (_set(["scale", "dont_know_label"], "emerging"),
     "scale.dont_know_label: 'emerging' is also a level's label"),
    (_drop(["areas", 2, "name"]), "areas[2] (ASM).name: is required"),
    (_set(["areas", 2, "kind"], "pillar"),
     "areas[2] (ASM).kind: 'pillar' must be one of 'condition', 'theme'"),
    (_drop(["areas", 10, "kind"]), "areas[10] (VIS).kind: is required"),
    (_set(["areas", 0, "indicators", 1, "code"], "CUR.1"),
     "areas[0].indicators[1].code: CUR.1 is used twice"),
    (_set(["areas", 1, "code"], "CUR"), "areas[1].code: CUR is used twice"),
    (_drop(["areas", 4, "indicators", 0, "statement"]),
     "areas[4].indicators[0] (SUP.1).statement: is required"),
    (_set(["areas", 4, "indicators", 0, "source"], "copied"),
     "areas[4].indicators[0] (SUP.1).source: 'copied' must be one of"),
    (_set(["areas", 5, "indicators"], []), "areas[5] (PD).indicators: must be a non-empty list"),
    (_set(["areas", 6, "competencies"], ["INTER.4", "INTER.4"]),
     "areas[6] (LEAD).competencies: INTER.4 is listed twice"),
    (_set(["areas", 7], "Technology policy"), "areas[7]: must be a mapping of fields, not str"),
    (_set(["version"], "two"), "version: 'two' must be a whole number from 1"),
    (_drop(["competency_framework"]), "document.competency_framework: is required"),
])
def test_bad_documents_get_a_message_naming_the_row_field_and_value(document, mutate, message):
    mutate(document)
    with pytest.raises(FrameworkFormatError, match=re.escape(message)):
        canonical_conditions(document)


def test_unknown_competency_codes_are_named_and_nothing_is_written(db, educator_framework, document):
    document["areas"][7]["competencies"].append("INST.99")
    with pytest.raises(FrameworkFormatError, match=re.escape(
            "areas[7] (TECH).competencies: INST.99 is not a competency of educator-competencies")):
        import_conditions(document)
    assert _count(ConditionsFramework) == 0


def test_the_educator_framework_must_be_loaded_first(db, document):
    with pytest.raises(FrameworkFormatError, match="no educator framework 'educator-competencies' is loaded"):
        import_conditions(document)
    assert _count(ConditionsFramework) == 0
