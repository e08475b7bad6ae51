from sqlalchemy import func, select

from pdplanner.accounts.models import Role, User, user_by_email
from pdplanner.accounts.passwords import verify_password
from pdplanner.organisation.models import CaseloadAssignment, School
from pdplanner.organisation.queries import caseload, coaches_of


def _seed(app, *args):
    """The people of the demo; its cycles and ratings have tests of their own."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--cycles", "0", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_has_the_promised_people_and_sign_ins(app, db):
    output = _seed(app)
    assert "teacher@demo.pdplanner.org" in output and "demo-password" in output
    assert "36 teachers, 4 coaches, 2 principals, 1 district admin" in output
    teacher = user_by_email("teacher@demo.pdplanner.org")
    coach = user_by_email("coach@demo.pdplanner.org")
    principal = user_by_email("principal@demo.pdplanner.org")
    admin = user_by_email("admin@demo.pdplanner.org")
    assert coach in coaches_of(teacher)
    assert teacher.school_ids() == principal.school_ids(Role.PRINCIPAL)
    assert admin.role == Role.DISTRICT_ADMIN
    assert all(verify_password(u.password_hash, "demo-password") for u in (teacher, coach, principal, admin))


def test_every_educator_has_a_coach_and_caseloads_are_balanced(app, db):
    _seed(app)
    educators = db.session.scalars(select(User).where(User.is_district_admin.is_(False))).all()
    for person in educators:
        if person.role in (Role.TEACHER, Role.COACH):
            assert coaches_of(person), person.email
    sizes = [len(caseload(c)) for c in educators if c.role == Role.COACH]
    assert max(sizes) - min(sizes) <= 1


def test_demo_is_deterministic_and_runs_once(app, db):
    _seed(app, "--schools", "3", "--educators-per-school", "12", "--random-seed", "7")
    names = db.session.scalars(select(User.given_name + " " + User.family_name).order_by(User.id)).all()
    assert len(set(names)) == len(names)
    assert db.session.scalar(select(func.count(School.id))) == 3
    assert "already here; nothing changed" in _seed(app)
    assert db.session.scalar(select(func.count(User.id))) == 1 + 3 * (1 + 12)
    assert db.session.scalar(select(func.count(CaseloadAssignment.id))) == 3 * 12


def test_demo_is_refused_in_production(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
