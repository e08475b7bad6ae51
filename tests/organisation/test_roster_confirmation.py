"""A roster that deactivates more than half of the district's active people applies only when
the admin types "DEACTIVATE <n>"; a wrong or missing phrase says so and writes nothing (issue
15, item 7)."""

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.roster import apply
from pdplanner.organisation.roster.queries import roster_preview
from tests.factories import create_district, create_school, create_user
from tests.helpers import sign_in_directly
from tests.organisation.test_roster_import import hidden_fields, simple, upload


@pytest.fixture
def east(db):
    """A district of seven active people: an admin, a principal and five teachers."""
    school = create_school(create_district("EAST"), code="EAST", name="East School")
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district, email="admin@east.example")
    create_user(Role.PRINCIPAL, school=school, email="principal@east.example")
    teachers = [create_user(Role.TEACHER, school=school, email=f"t{i}@east.example") for i in range(5)]
    return school.district, admin, teachers


def _listing(*emails):
    return simple([f"{email},Given,Family,teacher,EAST," for email in emails])


def _active(db) -> set[str]:
    return set(db.session.scalars(select(User.email).where(User.active.is_(True))))


def test_half_or_fewer_needs_no_typing(db, east):
    district, admin, teachers = east
    roster = _listing(*(t.email for t in teachers[:2]))   # the principal and 3 teachers go: 4 of 7
    assert roster_preview(district, roster, admin).deactivates_most
    roster = _listing(*(t.email for t in teachers))        # the principal goes: 1 of 7
    preview = roster_preview(district, roster, admin)
    assert not preview.deactivates_most and preview.confirmation_problem(None) is None
    apply.apply_roster(district, roster, actor=admin)
    assert "principal@east.example" not in _active(db)


@pytest.mark.parametrize("typed,shown", [(None, "nothing was typed"),
                                         ("deactivate 4", "you typed 'deactivate 4'"),
                                         ("DEACTIVATE 5", "you typed 'DEACTIVATE 5'")])
def test_most_of_the_district_is_refused_without_the_exact_words(db, east, typed, shown):
    district, admin, teachers = east
    before = _active(db)
    with pytest.raises(apply.UnconfirmedDeactivation) as refused:
        apply.apply_roster(district, _listing(teachers[0].email, teachers[1].email), actor=admin, typed=typed)
    assert str(refused.value) == (f"This roster deactivates 4 of the 7 active people. To apply it, type "
                                  f"DEACTIVATE 4 exactly ({shown}). Nothing was imported.")
    db.session.rollback()
    assert _active(db) == before
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))


def test_the_exact_words_apply_it(db, east):
    district, admin, teachers = east
    outcome = apply.apply_roster(district, _listing(teachers[0].email, teachers[1].email), actor=admin,
                                 typed="  DEACTIVATE   4 ")
    assert outcome.preview.counts["deactivated"] == 4
    assert _active(db) == {"admin@east.example", teachers[0].email, teachers[1].email}


def test_the_page_asks_for_the_words_and_shows_the_preview_again_when_they_are_wrong(db, client, east):
    district, admin, teachers = east
    sign_in_directly(client, admin)
    content = ("email,given name,family name,role,school code,coach email\n"
               f"{teachers[0].email},A,B,teacher,EAST,\n")
    html = upload(client, "few.csv", content.encode()).get_data(as_text=True)
    assert "deactivates 5 of the 7 active people of the district" in html
    assert '<label class="field__label" for="typed">Type DEACTIVATE 5 to confirm</label>' in html
    fields = hidden_fields(html)
    refused = client.post("/roster/apply", data=fields | {"typed": "yes"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "To apply it, type DEACTIVATE 5 exactly (you typed &#39;yes&#39;). Nothing was imported." in page
    assert 'aria-invalid="true"' in page and "Apply this roster" in page
    assert len(_active(db)) == 7
    applied = client.post("/roster/apply", data=hidden_fields(page) | {"typed": "DEACTIVATE 5"})
    assert applied.status_code == 200 and "5 deactivated" in applied.get_data(as_text=True)
    assert _active(db) == {"admin@east.example", teachers[0].email}


def test_the_cli_takes_the_words_with_confirm(app, db, east, tmp_path):
    district, admin, teachers = east
    path = tmp_path / "few.csv"
    path.write_text("email,given name,family name,role,school code,coach email\n"
                    f"{teachers[0].email},A,B,teacher,EAST,\n")
    command = ["roster", "import", str(path), "--apply", "--district", "EAST"]
    refused = app.test_cli_runner().invoke(args=command)
    assert refused.exit_code != 0 and 'Give the words with --confirm "DEACTIVATE 5".' in refused.output
    assert len(_active(db)) == 7
    done = app.test_cli_runner().invoke(args=[*command, "--confirm", "DEACTIVATE 5"])
    assert done.exit_code == 0 and "5 deactivated" in done.output, done.output
