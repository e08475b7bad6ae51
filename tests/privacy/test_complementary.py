"""Issue 12 item 3 replayed: a district admin reads the district's totals beside its schools
and subtracts the schools shown from the total to get a school withheld for being too small
(or too well known). No figure may give it: the total is built from published school figures
only, and where a part is withheld, enough others are withheld with it."""

import re

from pdplanner.assessments.services import set_sharing
from tests.privacy.curious import add_school, between, district_reads, get
from tests.scenarios import District

K = 5


def remainders(summary: dict) -> dict[str, tuple[int, float]]:
    """figure -> (people, their mean) of what the total holds beyond the schools shown, as an
    admin computes it: n_total*m_total - sum(n_school*m_school), per domain and readiness."""
    found = {}
    figures = [("readiness", lambda doc: [doc["readiness"]])] + [
        (d["domain"], lambda doc, code=d["domain"]: [x for x in doc["domains"] if x["domain"] == code])
        for d in summary["totals"]["domains"]]
    for name, pick in figures:
        total = pick(summary["totals"])[0]
        if total["mean"] is None:
            continue
        shown = [pick(s)[0] for s in summary["schools"] if pick(s) and pick(s)[0]["mean"] is not None]
        people = total["people"] - sum(s["people"] for s in shown)
        if people:
            rest = total["people"] * total["mean"] - sum(s["people"] * s["mean"] for s in shown)
            found[name] = (people, rest / people)
    return found


def test_a_small_school_cannot_be_recovered_from_the_district_total(db, client):
    d = District(db, schools=2, teachers=6, level=3, submitted=True)
    small, _ = add_school(d.district, d.cycle, teachers=4, level=1)
    db.session.commit()
    summary = district_reads(client, d.admin, d.district, d.cycle)
    row = next(s for s in summary["schools"] if s["school"]["id"] == small.id)
    assert all(domain["mean"] is None for domain in row["domains"])
    leaks = {name: found for name, found in remainders(summary).items() if found[0] < K}
    assert leaks == {}, f"total minus the schools shown gives the small school: {leaks}"


def test_a_school_withheld_because_people_share_drags_another_with_it(db, client):
    """Three schools of six published; then two people of the third share: a principal knows
    them, four unknown remain, so the third is withheld, and the total minus the other two
    would give those four: one of the others is withheld too (smallest first)."""
    d = District(db, schools=2, teachers=8, level=3, submitted=True)
    third, teachers = add_school(d.district, d.cycle, teachers=6, level=1)
    db.session.commit()
    district_reads(client, d.admin, d.district, d.cycle)         # published, all three
    for teacher in teachers[:2]:
        set_sharing(teacher, d.cycle, True)
    db.session.commit()
    summary = district_reads(client, d.admin, d.district, d.cycle)
    by_id = {s["school"]["id"]: s for s in summary["schools"]}
    assert all(domain["mean"] is None for domain in by_id[third.id]["domains"])
    withheld = [s for s in d.schools if all(domain["mean"] is None for domain in by_id[s.id]["domains"])]
    assert len(withheld) == 1 or all(domain["mean"] is None for domain in summary["totals"]["domains"])
    # Whatever is subtracted, the remainder covers at least K people unknown to the admin.
    assert all(people - 2 >= K for people, _ in remainders(summary).values())


def test_each_schools_page_and_api_keep_the_districts_decision(db, client):
    d = District(db, schools=2, teachers=8, level=3, submitted=True)
    third, teachers = add_school(d.district, d.cycle, teachers=6, level=1)
    db.session.commit()
    district_reads(client, d.admin, d.district, d.cycle)
    for teacher in teachers[:2]:
        set_sharing(teacher, d.cycle, True)
    db.session.commit()
    summary = district_reads(client, d.admin, d.district, d.cycle)
    withheld = {s["school"]["id"] for s in summary["schools"] if s["domains"][0]["mean"] is None}
    for school in [*d.schools, third]:
        # The school's own page (?school=) and API keep the district's decision.
        html = get(client, d.admin, f"/?cycle={d.cycle.id}&school={school.id}").get_data(as_text=True)
        self_mean = between(between(html, "Mean levels and share at target per competency"), "</th>", "</td>")
        api = get(client, d.admin, f"/api/v1/schools/{school.id}/readiness?cycle={d.cycle.id}").get_json()
        assert (api["domains"][0]["mean"] is None) == (school.id in withheld), school.name
        assert bool(re.search(r">\s*\d\.\d\s*$", self_mean)) != (school.id in withheld), school.name
