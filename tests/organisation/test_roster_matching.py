"""Matching a roster into a preview (`roster.match.match_roster`), with plain data: no app, no
database. The district is a `DistrictNow`; the roster is built by hand or read from CSV text."""

import ast
from collections import Counter
from pathlib import Path

from pdplanner.accounts.models import Role
from pdplanner.organisation.roster import match
from pdplanner.organisation.roster.match import (
    DistrictNow,
    KnownPerson,
    KnownSchool,
    NewSchool,
    match_roster,
)
from pdplanner.organisation.roster.read import (
    Org,
    Rejection,
    Roster,
    RosterPerson,
    bundle_from_upload,
    read_roster,
)

NORTH, SOUTH = KnownSchool(10, "NORTH", "North School", None), KnownSchool(20, "SOUTH", "South School", None)
ADMIN = KnownPerson(1, "admin@d.example", None, "Ada", "Admin", True, True)
TESS = KnownPerson(2, "tess@d.example", None, "Tess", "Teacher", True, False)
CODY = KnownPerson(3, "cody@d.example", None, "Cody", "Coach", True, False)


def district(*people: KnownPerson, memberships=None, coaches=None, schools=(NORTH, SOUTH),
             outside=frozenset()) -> DistrictNow:
    return DistrictNow("Dale District", (ADMIN, *people), memberships or {}, coaches or {}, tuple(schools),
                       frozenset(outside))


def person(email: str, line: int = 2, *, schools=None, given="Given", family="Family",
           **kwargs) -> RosterPerson:
    return RosterPerson(file="people.csv", line=line, email=email, given_name=given, family_name=family,
                        schools={"NORTH": Role.TEACHER} if schools is None else schools, **kwargs)


def simple(*people: RosterPerson, full: bool = True, rejected=(), skipped=None) -> Roster:
    return Roster(format="Simple CSV", full=full, people=list(people), rejected=list(rejected),
                  skipped=Counter(skipped or {}))


def oneroster(*people: RosterPerson, orgs=(), full: bool = True) -> Roster:
    return Roster(format="OneRoster 1.1", full=full, people=list(people),
                  orgs={o.sourced_id: o for o in orgs})


def reasons(preview) -> list[str]:
    return [r.reason for r in preview.rejected]


def test_a_new_person_is_created_with_their_school_role():
    preview = match_roster(simple(person("new@d.example")), district(), ADMIN.id)
    [plan] = preview.creates
    assert (plan.user_id, plan.email, plan.memberships, plan.coaches) == (None, "new@d.example",
                                                                        {NORTH.id: Role.TEACHER}, None)
    assert plan.roles_text == "Teacher"
    assert preview.counts == {"created": 1, "updated": 0, "deactivated": 0, "unchanged": 0, "rejected": 0,
                              "skipped": 0, "schools_created": 0}


def test_an_existing_person_matched_by_email_and_unchanged_is_left_alone():
    now = district(TESS, memberships={TESS.id: {NORTH.id: (100, Role.TEACHER)}})
    preview = match_roster(simple(person(TESS.email, given="Tess", family="Teacher")), now, ADMIN.id)
    assert preview.unchanged == 1 and not preview.updates and not preview.creates
    assert not preview.changes_anything


def test_a_person_matched_by_sourced_id_keeps_their_account_when_their_email_changes():
    tess = KnownPerson(2, "tess@d.example", "T-1", "Tess", "Teacher", True, False)
    now = district(tess, memberships={tess.id: {NORTH.id: (100, Role.TEACHER)}}, schools=(
        KnownSchool(10, "NORTH", "North School", "ORG-N"),))
    roster = oneroster(person("tess.new@d.example", sourced_id="T-1", given="Tess", family="Teacher",
                              schools={"ORG-N": Role.TEACHER}))
    [update] = match_roster(roster, now, ADMIN.id).updates
    assert update.user_id == tess.id
    assert update.changes == ["email: tess@d.example → tess.new@d.example"]


def test_a_changed_school_and_a_changed_role_are_named():
    now = district(TESS, memberships={TESS.id: {NORTH.id: (100, Role.TEACHER)}})
    moved = match_roster(simple(person(TESS.email, given="Tess", family="Teacher",
                                       schools={"SOUTH": Role.TEACHER})), now, ADMIN.id)
    assert moved.updates[0].changes == ["teacher at South School (SOUTH)",
                                        "no longer teacher at North School (NORTH)"]
    promoted = match_roster(simple(person(TESS.email, given="Tess", family="Teacher",
                                          schools={"NORTH": Role.PRINCIPAL})), now, ADMIN.id)
    assert promoted.updates[0].changes == ["at North School (NORTH): teacher → principal"]


def test_a_full_roster_deactivates_the_people_it_leaves_out_and_a_partial_one_nobody():
    now = district(TESS, CODY)
    full = match_roster(simple(person(TESS.email, given="Tess", family="Teacher")), now, ADMIN.id)
    assert [(d.user_id, d.reason) for d in full.deactivations] == [(CODY.id, "not in the roster")]
    partial = match_roster(simple(person(TESS.email, given="Tess", family="Teacher"), full=False), now,
                           ADMIN.id)
    assert partial.deactivations == []


def test_a_full_roster_never_deactivates_the_importer_a_district_admin_or_a_rejected_row():
    importer = KnownPerson(4, "importer@d.example", None, "Ima", "Porter", True, False)
    typo = Rejection("people.csv", 3, "role: 'teachr' is not a role here.", email=CODY.email)
    preview = match_roster(simple(person(TESS.email, given="Tess", family="Teacher"), rejected=[typo]),
                           district(TESS, CODY, importer), importer.id)
    assert preview.deactivations == []
    assert reasons(preview) == ["role: 'teachr' is not a role here."]


def test_an_inactive_person_left_out_is_not_deactivated_again_and_one_listed_is_reactivated():
    gone = KnownPerson(5, "gone@d.example", None, "Gone", "Away", False, False)
    assert match_roster(simple(person(TESS.email, given="Tess", family="Teacher")),
                        district(TESS, gone), ADMIN.id).deactivations == []
    [back] = match_roster(simple(person(gone.email, given="Gone", family="Away")), district(gone),
                          ADMIN.id).updates
    assert back.reactivate and "active again" in back.changes


def test_a_row_marked_deleted_deactivates_that_person_or_is_skipped_when_they_are_not_here():
    roster = oneroster(person(TESS.email, line=7, deactivate=True),
                       person("never@d.example", deactivate=True), full=False)
    preview = match_roster(roster, district(TESS), ADMIN.id)
    assert [(d.user_id, d.reason) for d in preview.deactivations] == [
        (TESS.id, "people.csv:7 marks them deleted or disabled.")]
    assert preview.skipped == {"marked deleted, not here": 1}


def test_two_rows_for_the_same_person_reject_the_second():
    roster = oneroster(person(TESS.email, line=2, sourced_id="T-1", schools={}),
                       person("other@d.example", line=5, sourced_id="T-1", schools={}), full=False)
    tess = KnownPerson(2, TESS.email, "T-1", "Tess", "Teacher", True, False)
    preview = match_roster(roster, district(tess), ADMIN.id)
    assert reasons(preview) == ["this is the same person as line 2."]
    assert [p.line for p in preview.updates] == [2]


def test_an_unknown_school_code_rejects_the_row():
    roster = simple(person("ok@d.example"), person("new@d.example", line=3, schools={"EAST": Role.TEACHER}))
    preview = match_roster(roster, district(), ADMIN.id)
    assert reasons(preview) == ["school code: Dale District has no school 'EAST'."]
    assert [p.email for p in preview.creates] == ["ok@d.example"]


def test_an_email_of_another_district_or_of_another_person_is_rejected():
    elsewhere = match_roster(simple(person("taken@away.example")), district(outside={"taken@away.example"}),
                             ADMIN.id)
    assert reasons(elsewhere) == ["email: taken@away.example belongs to an account outside Dale District."]
    tess = KnownPerson(2, TESS.email, "T-1", "Tess", "Teacher", True, False)
    clash = match_roster(oneroster(person(CODY.email, sourced_id="T-1", schools={}), full=False),
                         district(tess, CODY), ADMIN.id)
    assert reasons(clash) == [f"email: {CODY.email} belongs to another person."]


def test_an_email_matched_to_a_different_sourced_id_is_rejected():
    tess = KnownPerson(2, TESS.email, "T-1", "Tess", "Teacher", True, False)
    preview = match_roster(oneroster(person(TESS.email, sourced_id="T-2", schools={}), full=False),
                           district(tess), ADMIN.id)
    assert reasons(preview) == [f"email: {TESS.email} belongs to the person with sourcedId T-1."]


def test_orgs_become_new_schools_or_adopt_a_school_made_by_hand():
    orgs = (Org("ORG-N", "North School", "school", "NORTH"), Org("ORG-E", "East School", "school", "east"))
    roster = oneroster(person("a@d.example", sourced_id="A", schools={"ORG-N": Role.TEACHER}),
                       person("b@d.example", line=3, sourced_id="B", schools={"ORG-E": Role.PRINCIPAL}),
                       orgs=orgs)
    preview = match_roster(roster, district(), ADMIN.id)
    assert preview.adopted_schools == {NORTH.id: "ORG-N"}
    east = NewSchool("ORG-E", "EAST", "East School")
    assert preview.new_schools == [east]
    assert [p.memberships for p in preview.creates] == [{NORTH.id: Role.TEACHER}, {east: Role.PRINCIPAL}]
    unknown = match_roster(oneroster(person("c@d.example", sourced_id="C", schools={"ORG-X": Role.TEACHER})),
                           district(), ADMIN.id)
    assert reasons(unknown) == [
        "orgSourcedIds: 'ORG-X' is neither in orgs.csv nor a school of Dale District."]


def test_oneroster_keeps_a_coach_a_coach_where_the_sis_says_teacher():
    tess = KnownPerson(2, TESS.email, "T-1", "Tess", "Teacher", True, False)
    now = district(tess, memberships={tess.id: {NORTH.id: (100, Role.COACH)}},
                   schools=(KnownSchool(10, "NORTH", "North School", "ORG-N"),))
    preview = match_roster(oneroster(person(TESS.email, sourced_id="T-1", given="Tess", family="Teacher",
                                            schools={"ORG-N": Role.TEACHER})), now, ADMIN.id)
    assert preview.unchanged == 1 and not preview.updates


def test_coach_links_name_existing_coaches_and_coaches_the_roster_creates():
    now = district(CODY, TESS, memberships={CODY.id: {NORTH.id: (100, Role.COACH)},
                                            TESS.id: {NORTH.id: (101, Role.TEACHER)}})
    roster = simple(person(CODY.email, given="Cody", family="Coach", schools={"NORTH": Role.COACH}),
                    person(TESS.email, line=3, given="Tess", family="Teacher",
                           coach_emails=(CODY.email, "newcoach@d.example")),
                    person("newcoach@d.example", line=4, schools={"NORTH": Role.COACH}))
    preview = match_roster(roster, now, ADMIN.id)
    [update] = preview.updates
    assert update.coaches == (CODY.id, "newcoach@d.example")
    assert update.changes == [f"coach: + {CODY.email}", "coach: + newcoach@d.example"]


def test_a_coach_who_is_no_coach_rejects_the_row_and_in_turn_the_rows_they_coach():
    roster = simple(person("a@d.example", line=2, coach_emails=("b@d.example",)),
                    person("b@d.example", line=3, coach_emails=("nobody@d.example",),
                           schools={"NORTH": Role.COACH}),
                    person("c@d.example", line=4, coach_emails=("a@d.example",)))
    preview = match_roster(roster, district(), ADMIN.id)
    assert [(r.line, r.reason) for r in preview.rejected] == [
        (2, "coach email: nobody with the email b@d.example is a coach here or in this roster."),
        (3, "coach email: nobody with the email nobody@d.example is a coach here or in this roster."),
        (4, "coach email: a@d.example is not a coach in this roster."),
    ]
    assert preview.creates == []


def test_a_removed_coach_link_is_named():
    now = district(CODY, TESS, memberships={CODY.id: {NORTH.id: (100, Role.COACH)},
                                            TESS.id: {NORTH.id: (101, Role.TEACHER)}},
                   coaches={TESS.id: {CODY.id}})
    roster = simple(person(TESS.email, given="Tess", family="Teacher", coach_emails=()), full=False)
    [update] = match_roster(roster, now, ADMIN.id).updates
    assert update.coaches == () and update.changes == [f"coach: − {CODY.email}"]


def test_emails_in_any_case_match_the_same_person():
    csv = (b"email,given name,family name,role,school code,coach email\n"
           b"TESS@D.Example,Tess,Teacher,teacher,NORTH,\n")
    roster = read_roster(bundle_from_upload("people.csv", csv), partial=True)
    now = district(TESS, memberships={TESS.id: {NORTH.id: (100, Role.TEACHER)}})
    assert match_roster(roster, now, ADMIN.id).unchanged == 1


def test_a_roster_that_would_deactivate_most_people_says_so_and_one_naming_nobody_deactivates_nobody():
    many = [KnownPerson(10 + n, f"p{n}@d.example", None, "P", str(n), True, False) for n in range(3)]
    preview = match_roster(simple(person(many[0].email, given="P", family="0")), district(*many), ADMIN.id)
    assert len(preview.deactivations) == 2
    assert any("leaves out 2 of the 3 people" in note for note in preview.notes)
    empty = match_roster(simple(skipped={"student": 4}), district(*many), ADMIN.id)
    assert empty.deactivations == []
    assert "The roster names nobody pdplanner serves, so nobody is deactivated." in empty.notes


def test_matching_imports_nothing_that_reaches_the_database():
    tree = ast.parse(Path(match.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not {name for name in imported
                if name.split(".")[0] in ("sqlalchemy", "flask", "flask_sqlalchemy")
                or name in ("pdplanner.extensions", "pdplanner.database")
                or name.endswith((".queries", ".services"))}
