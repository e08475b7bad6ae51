"""CASE conversion: the default framework round-trips, exports are deterministic and valid CASE,
and packages written elsewhere (fixtures reproducing real packages' quirks) import leniently, with
clear errors for what cannot become a framework."""

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pdplanner.cli import DEFAULT_FRAMEWORK
from pdplanner.framework.case import DEFAULT_LEVELS, NO_RUBRIC_NOTE, case_to_native, native_to_case
from pdplanner.framework.exchange import parse_framework_file
from pdplanner.framework.services import FrameworkFormatError, canonical_native, read_native_file

FIXTURES = Path(__file__).parent / "fixtures" / "case"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
CHANGED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

TOO_LONG_CODE = "RR.A.VERY.LONG.VERY.LONG.VERY.LONG.VERY.LONG.VERY.LONG.VERY.LONG.CODE"


def export(document, identity="shared/educator-competencies", base="https://pd.example.org/case"):
    return native_to_case(document, identity=identity, uri_base=base, changed_at=CHANGED)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def read(package) -> dict:
    return canonical_native(case_to_native(package))


@pytest.fixture(scope="module")
def document():
    return read_native_file(DEFAULT_FRAMEWORK)


@pytest.fixture(scope="module")
def package(document):
    return export(document)


# -- export and round trip ---------------------------------------------------------------------

def test_the_default_framework_round_trips_unchanged(document, package):
    assert read(json.loads(json.dumps(package))) == document


def test_every_native_field_survives_a_round_trip_of_an_unusual_framework(document):
    odd = copy.deepcopy(document)
    odd.update(slug="odd-one", version=7, description="", about="")
    odd["scale"] = {"target_level": 2, "not_observed_label": "Not seen yet",
                    "levels": [{"value": 0, "label": "Absent", "description": ""},
                               {"value": 2, "label": "Present", "description": "Seen twice."},
                               {"value": 5, "label": "Strong", "description": "Seen always."}]}
    odd["domains"] = odd["domains"][:1]
    comp = odd["domains"][0]["competencies"][0]
    comp.update(summary="", statement="", source="local-adaptation", foundational=False, indicators=[],
                descriptors={0: "None yet.", 2: "Sometimes.", 5: "Always, and teaches others."})
    odd["domains"][0].update(need="", description="")
    odd["domains"][0]["competencies"] = [comp]
    odd = canonical_native(odd)
    assert read(export(odd)) == odd


def test_export_is_deterministic_and_identifiers_are_stable_uuids(document, package):
    again = export(copy.deepcopy(document))
    assert json.dumps(again, sort_keys=False) == json.dumps(package, sort_keys=False)
    identifiers = [n["identifier"] for n in package["CFItems"] + package["CFAssociations"]]
    assert len(set(identifiers)) == len(identifiers) and all(UUID.match(i) for i in identifiers)
    other_district = export(document, identity="district-7/educator-competencies")
    assert other_district["CFDocument"]["identifier"] != package["CFDocument"]["identifier"]
    edited = copy.deepcopy(document)
    edited["domains"][0]["competencies"][0]["name"] = "A new name"
    first_item = next(i for i in export(edited)["CFItems"] if i.get("humanCodingScheme") == "COG.1")
    assert first_item["identifier"] == next(
        i["identifier"] for i in package["CFItems"] if i.get("humanCodingScheme") == "COG.1")


def test_export_shape_follows_case(package, document):
    cf_document = package["CFDocument"]
    assert cf_document["uri"] == f"https://pd.example.org/case/CFDocuments/{cf_document['identifier']}"
    assert cf_document["lastChangeDateTime"] == "2026-03-01T09:30:15+00:00"
    assert cf_document["title"] == document["title"] and cf_document["notes"] == document["about"]
    assert cf_document["version"] == "1"
    assert cf_document["extensions"]["pdplanner"]["slug"] == document["slug"]
    kinds = [i["CFItemType"] for i in package["CFItems"]]
    indicators = sum(len(c["indicators"]) for d in document["domains"] for c in d["competencies"])
    assert (kinds.count("Domain"), kinds.count("Competency"), kinds.count("Indicator")) == (4, 19, indicators)
    assert {a["associationType"] for a in package["CFAssociations"]} == {"isChildOf"}
    assert len(package["CFAssociations"]) == len(package["CFItems"])
    assert all(STAMP.match(n["lastChangeDateTime"]) for n in package["CFItems"])
    cog1 = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "COG.1")
    assert cog1["abbreviatedStatement"] == "Content and learning progressions"
    assert cog1["alternativeLabel"] == "Leading learners toward mastery"
    [rubric] = package["CFRubrics"]
    assert len(rubric["CFRubricCriteria"]) == 19
    criterion = rubric["CFRubricCriteria"][0]
    assert criterion["CFItemURI"]["identifier"] == cog1["identifier"]
    assert [(lv["score"], lv["quality"], lv["position"]) for lv in criterion["CFRubricCriterionLevels"]] == [
        (1, "Exploring", 1), (2, "Developing", 2), (3, "Proficient", 3), (4, "Leading", 4)]
    assert criterion["CFRubricCriterionLevels"][2]["description"] == document["domains"][0][
        "competencies"][0]["descriptors"][3]


# The parts of the CASE 1.1 package schema (1EdTech, Apache-2.0) that pdplanner's export uses,
# restated here: required fields and no fields the schema does not define.
V1P1_FIELDS = {
    "CFDocument": ({"identifier", "uri", "creator", "title", "lastChangeDateTime"},
                   {"frameworkType", "caseVersion", "officialSourceURL", "publisher", "description",
                    "subject", "subjectURI", "language", "version", "adoptionStatus", "statusStartDate",
                    "statusEndDate", "licenseURI", "notes", "extensions"}),
    "CFItem": ({"identifier", "fullStatement", "uri", "lastChangeDateTime"},
               {"alternativeLabel", "CFItemType", "humanCodingScheme", "listEnumeration",
                "abbreviatedStatement", "conceptKeywords", "conceptKeywordsURI", "notes", "subject",
                "subjectURI", "language", "educationLevel", "CFItemTypeURI", "licenseURI",
                "statusStartDate", "statusEndDate", "extensions"}),
    "CFAssociation": ({"identifier", "associationType", "uri", "originNodeURI", "destinationNodeURI",
                       "lastChangeDateTime"}, {"sequenceNumber", "CFAssociationGroupingURI", "notes",
                                               "extensions"}),
    "CFItemType": ({"identifier", "uri", "title", "description", "hierarchyCode", "lastChangeDateTime"},
                   {"typeCode", "extensions"}),
    "CFRubric": ({"identifier", "uri", "lastChangeDateTime"},
                 {"title", "description", "CFRubricCriteria", "extensions"}),
    "CFRubricCriterion": ({"identifier", "uri", "lastChangeDateTime"},
                          {"category", "description", "CFItemURI", "weight", "position", "rubricId",
                           "CFRubricCriterionLevels", "extensions"}),
    "CFRubricCriterionLevel": ({"identifier", "uri", "lastChangeDateTime"},
                               {"description", "quality", "score", "feedback", "position",
                                "rubricCriterionId", "extensions"}),
}


def check(kind: str, node: dict):
    required, optional = V1P1_FIELDS[kind]
    assert required <= set(node), (kind, required - set(node))
    assert set(node) <= required | optional, (kind, set(node) - required - optional)
    assert UUID.match(node["identifier"])


def test_export_has_the_fields_of_the_case_1_1_package_schema_and_no_others(package):
    assert set(package) <= {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics",
                            "extensions"}
    check("CFDocument", package["CFDocument"])
    for item in package["CFItems"]:
        check("CFItem", item)
    for association in package["CFAssociations"]:
        check("CFAssociation", association)
        assert isinstance(association["sequenceNumber"], int)
        for end in ("originNodeURI", "destinationNodeURI"):
            assert set(association[end]) == {"title", "identifier", "uri"}
    for item_type in package["CFDefinitions"]["CFItemTypes"]:
        check("CFItemType", item_type)
    for rubric in package["CFRubrics"]:
        check("CFRubric", rubric)
        for criterion in rubric["CFRubricCriteria"]:
            check("CFRubricCriterion", criterion)
            for level in criterion["CFRubricCriterionLevels"]:
                check("CFRubricCriterionLevel", level)


def test_default_levels_for_packages_without_rubrics_are_the_seed_scale(document):
    assert document["scale"]["levels"] == DEFAULT_LEVELS


# -- packages from elsewhere -------------------------------------------------------------------

def test_minified_case_1_0_package_with_uris_and_no_sequence_numbers():
    raw = (FIXTURES / "minified-v1p0.json").read_bytes()
    assert b"\n" not in raw and b"CFPackageURI" in raw and b"CFDocumentURI" in raw
    kind, read_back = parse_framework_file("minified-v1p0.json", raw)
    assert kind == "case" and read_back["slug"] == "coaching-practice-framework"
    [domain] = read_back["domains"]
    assert (domain["code"], domain["name"]) == ("CPF.OB", "Observation and Feedback")
    [competency] = domain["competencies"]
    assert (competency["code"], competency["name"]) == ("CPF.OB.LV", "Listening for evidence")
    # Deeper items are indicators in tree order; without sequenceNumbers the associations' order
    # counts (the items are listed in code order, .1, .10, .2).
    assert competency["indicators"] == [
        "Basics", "Notes what learners say without judging it",
        "Separates what was seen from what it might mean", "Asks the teacher what they noticed first"]


def test_no_rubrics_gives_the_default_scale_and_says_so():
    read_back = read(fixture("minified-v1p0.json"))
    assert read_back["scale"]["levels"] == DEFAULT_LEVELS and read_back["scale"]["target_level"] == 3
    competency = read_back["domains"][0]["competencies"][0]
    assert competency["descriptors"] == {lv["value"]: lv["description"] for lv in DEFAULT_LEVELS}
    assert read_back["about"].startswith(
        "Imported from the CASE package “Coaching Practice Framework” by Example Coaching Network.")
    assert read_back["about"].endswith(NO_RUBRIC_NOTE)
    assert competency["source"] == "published" and competency["foundational"] is False


def test_string_sequence_numbers_zoneless_dates_unknown_fields_and_association_types():
    package = fixture("lenient-strings-and-zoneless.json")
    assert package["CFDocument"]["lastChangeDateTime"] == "2018-05-25T18:05:33"
    assert {a["associationType"] for a in package["CFAssociations"]} >= {"exactMatchOf", "ext:inspiredBy"}
    read_back = read(package)
    # "1" and "2" order the clusters and standards although the associations list them backwards;
    # the Cluster / Standard / Component types take the place of domain / competency / indicator.
    assert [(d["code"], [c["code"] for c in d["competencies"]]) for d in read_back["domains"]] == [
        ("RR.A", ["RR.A.1", "RR.A.2"]), ("RR.B", ["RR.B.1"])]
    assert read_back["domains"][0]["competencies"][1]["indicators"] == [
        "Writes the change down before the lesson"]
    assert read_back["about"].startswith(
        "Imported from the CASE package “Reflective Practice” by A. Teacher (Draft).")


def test_flat_package_with_astral_characters_and_markdown():
    read_back = read(fixture("flat-astral-markdown.json"))
    assert read_back["title"] == "Planning 𝑑 Toolkit" and read_back["slug"] == "planning-d-toolkit"
    [domain] = read_back["domains"]
    # Items straight under the document are competencies of one domain standing for the document.
    assert (domain["code"], domain["name"]) == ("D1", "Planning 𝑑 Toolkit")
    assert [c["code"] for c in domain["competencies"]] == ["D1.1", "MD.1"]  # by sequenceNumber 1, 2
    assert domain["competencies"][0]["name"] == "Plans for 𝑑ifferentiation 𝕏 in every unit"
    # Markdown stays as written, its line breaks folded to spaces as all pdplanner text is.
    assert domain["competencies"][1]["name"] == (
        "Uses **worked examples** with $x^2$ notation: | step | why | | --- | --- | | 1 | model |")


def test_case_1_1_package_with_rubrics_from_elsewhere():
    read_back = read(fixture("v1p1-with-rubrics.json"))
    assert read_back["scale"]["levels"] == [
        {"value": 1, "label": "Beginning", "description": ""},
        {"value": 2, "label": "Growing", "description": ""},
        {"value": 3, "label": "Advanced", "description": ""}]
    assert read_back["scale"]["target_level"] == 2  # the level below the top
    [domain] = read_back["domains"]
    assert (domain["code"], domain["name"], domain["need"], domain["description"]) == (
        "DL.D", "Design", "design", "Designing learning with technology")
    first, second = domain["competencies"]
    assert first["descriptors"] == {1: "Uses tools when told to.", 2: "Chooses a tool for some lessons.",
                                    3: "Chooses the tool from the goal, every time."}
    assert first["statement"] == "Chooses tools that fit the learning goal rather than the novelty."
    assert first["indicators"] == ["Names the learning goal before naming the tool."]
    assert second["summary"] == "No learner left offline"
    assert NO_RUBRIC_NOTE not in read_back["about"]
    assert "Adopted by the board in 2023." in read_back["about"]


def test_a_long_statement_without_a_short_one_is_shortened_for_the_name_and_kept_whole():
    package = fixture("flat-astral-markdown.json")
    long_text = "Designs units " + "that connect ideas across subjects and " * 8 + "the world."
    package["CFItems"][1]["fullStatement"] = long_text
    competency = read(package)["domains"][0]["competencies"][0]
    assert len(competency["name"]) <= 200 and competency["name"].endswith("…")
    assert competency["statement"] == " ".join(long_text.split())


# -- what cannot be read ---------------------------------------------------------------------------

def broken(mutate, name="lenient-strings-and-zoneless.json"):
    package = fixture(name)
    mutate(package)
    return package


@pytest.mark.parametrize("package,message", [
    ([1, 2], "a CASE package must be a JSON object with CFDocument and CFItems"),
    (broken(lambda p: p.pop("CFDocument")), "CFDocument: is missing, so this is not a CASE package"),
    (broken(lambda p: p["CFAssociations"][2]["destinationNodeURI"].update(
        identifier="77777777-0000-4000-8000-000000000000")),
     "CFAssociations[2] (22222222-aaaa-4000-8000-000000000003).destinationNodeURI: "
     "77777777-0000-4000-8000-000000000000 is neither the CFDocument nor an item of this package"),
    (broken(lambda p: p["CFAssociations"][5]["originNodeURI"].update(identifier="nowhere")),
     "CFAssociations[5] (22222222-aaaa-4000-8000-000000000006).originNodeURI: nowhere is not an item"),
    (broken(lambda p: p["CFAssociations"][2]["destinationNodeURI"].update(
        identifier="22222222-0000-4000-8000-000000000004")),  # RR.A under RR.A.2a, under RR.A.2, under RR.A
     None),
    (fixture("zero-items.json"), "the package has no competencies: CFItems is empty"),
    (broken(lambda p: p["CFItems"][0].update(humanCodingScheme=TOO_LONG_CODE)),
     f"CFItems[0] ({TOO_LONG_CODE}, 22222222-0000-4000-8000-000000000001).humanCodingScheme: "
     f"'{TOO_LONG_CODE}' is 69 characters; pdplanner codes are at most 64"),
    (broken(lambda p: p["CFItems"][5].update(humanCodingScheme="RR.A.1")),
     "CFItems[5] (RR.A.1, 22222222-0000-4000-8000-000000000006).humanCodingScheme: 'RR.A.1' is also the "
     "code of CFItems[1] (RR.A.1, 22222222-0000-4000-8000-000000000002)"),
    (broken(lambda p: p["CFItems"][3].update(CFItemType="Domain")),
     "CFItems[3] (RR.A.2a, 22222222-0000-4000-8000-000000000004).CFItemType: a Domain cannot sit inside "
     "competency CFItems[2]"),
    (broken(lambda p: p["CFRubrics"][0]["CFRubricCriteria"][1]["CFRubricCriterionLevels"][0].update(
        quality="Expert"), "v1p1-with-rubrics.json"),
     "level 3 is 'Expert' here but 'Advanced' in CFRubrics[0].CFRubricCriteria[0]"),
    (broken(lambda p: p["CFRubrics"][0]["CFRubricCriteria"].pop(), "v1p1-with-rubrics.json"),
     "CFRubrics: competencies DL.D.2 have no criterion"),
    (broken(lambda p: p["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0].update(
        score="high"), "v1p1-with-rubrics.json"),
     "CFRubricCriterionLevels[0].score: 'high' is not a whole number"),
])
def test_what_cannot_become_a_framework_is_named(package, message):
    with pytest.raises(FrameworkFormatError) as caught:
        read(package)
    if message is None:  # a cycle: every member is named
        assert str(caught.value).startswith("CFAssociations: isChildOf goes round in a cycle: ")
        for code in ("RR.A", "RR.A.2a", "RR.A.2"):
            assert f"({code}, " in str(caught.value)
    else:
        assert message in str(caught.value)


@pytest.mark.parametrize("name,raw,message", [
    ("f.json", b'{"CFDocument": {', "not valid JSON: Expecting property name enclosed in double quotes at "
                                    "line 1, column 17"),
    ("f.txt", b"just some words", "not a framework: expected a CASE package"),
    ("f.json", b"\xff\xfe\x00", "not UTF-8 text"),
    ("f.yaml", b"", "the file is empty"),
])
def test_files_that_are_not_frameworks_are_named(name, raw, message):
    with pytest.raises(FrameworkFormatError, match=re.escape(message)):
        parse_framework_file(name, raw)


def test_native_yaml_and_json_are_told_from_case_by_content(document):
    import yaml
    assert parse_framework_file("x.yaml", yaml.safe_dump(document).encode()) == ("native", document)
    assert parse_framework_file("x.txt", json.dumps(document).encode()) == ("native", document)
