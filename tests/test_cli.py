import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from pdplanner.accounts.models import Role, User, user_by_email
from pdplanner.accounts.passwords import verify_password
from pdplanner.framework.models import Competency, Framework


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_seed_framework_twice_changes_nothing(app, db):
    first = _run(app, "seed", "framework")
    assert first.exit_code == 0, first.output
    assert "created (4 domains, 19 competencies)" in first.output
    second = _run(app, "seed", "framework")
    assert "unchanged" in second.output
    assert db.session.scalar(select(func.count(Framework.id))) == 1
    assert db.session.scalar(select(func.count(Competency.id))) == 19


def test_seed_framework_reports_a_bad_file_and_writes_nothing(app, db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: x\ntitle: X\nscale: {levels: [{value: 1, label: A}], target_level: 1}\n"
                   "domains: [{code: D, name: D, competencies: [{code: D.1, name: C, descriptors: {}}]}]\n")
    result = _run(app, "seed", "framework", str(bad))
    assert result.exit_code != 0
    assert "bad.yaml: domains[0].competencies[0].descriptors (D.1)" in result.output
    assert db.session.scalar(select(func.count(Framework.id))) == 0


def test_users_create_with_password_from_stdin(app, db):
    assert _run(app, "districts", "create", "--code", "north", "--name", "North ISD").exit_code == 0
    assert _run(app, "schools", "create", "--code", "hs", "--name", "North High").exit_code == 0
    result = _run(app, "users", "create", "--email", "Pat@Example.org", "--role", "principal",
                  "--school", "HS", "--password-stdin", input="a long enough passphrase\n")
    assert result.exit_code == 0, result.output
    user = user_by_email("pat@example.org")
    assert user.roles == {Role.PRINCIPAL}
    assert verify_password(user.password_hash, "a long enough passphrase")


def test_users_create_without_password_prints_a_set_password_link(app, db):
    _run(app, "districts", "create", "--code", "north", "--name", "North ISD")
    result = _run(app, "users", "create", "--email", "admin@example.org", "--role", "district_admin")
    assert result.exit_code == 0, result.output
    assert "/set-password/" in result.output
    assert user_by_email("admin@example.org").password_hash is None


def test_users_create_refuses_bad_input_clearly_and_writes_nothing(app, db):
    _run(app, "districts", "create", "--code", "north", "--name", "North ISD")
    cases = [
        (["--role", "teacher"], "A teacher needs a school."),
        (["--role", "teacher", "--school", "NOPE"], "has no school with the code 'NOPE'"),
        (["--role", "district_admin", "--password-stdin"], "too common"),
    ]
    for extra, message in cases:
        result = _run(app, "users", "create", "--email", "x@example.org", *extra, input="password1\n")
        assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_without_a_district_says_what_to_do(app, db):
    result = _run(app, "users", "create", "--email", "x@example.org", "--role", "district_admin")
    assert "There is no district yet" in result.output


def test_users_deactivate(app, db):
    _run(app, "districts", "create", "--code", "north", "--name", "North ISD")
    _run(app, "users", "create", "--email", "x@example.org", "--role", "district_admin")
    assert _run(app, "users", "deactivate", "--email", "x@example.org").exit_code == 0
    assert not user_by_email("x@example.org").active


def test_cycles_create_open_and_close(app, db):
    _run(app, "districts", "create", "--code", "north", "--name", "North ISD")
    _run(app, "seed", "framework")
    created = _run(app, "cycles", "create", "--name", "2026-27 baseline", "--opens", "2026-09-01",
                   "--closes", "2026-10-15")
    assert created.exit_code == 0, created.output
    assert "(draft)" in created.output
    assert _run(app, "cycles", "open", "--name", "2026-27 baseline").output.strip() == (
        "2026-27 baseline is open.")
    second = _run(app, "cycles", "create", "--name", "Mid-year", "--opens", "2027-01-05",
                  "--closes", "2027-02-15", "--open")
    assert second.exit_code != 0 and "2026-27 baseline is still open" in second.output
    assert "has no cycle named 'Mid-year'" in _run(app, "cycles", "open", "--name", "Mid-year").output
    assert _run(app, "cycles", "close", "--name", "2026-27 baseline").output.strip() == (
        "2026-27 baseline is closed.")
    again = _run(app, "cycles", "close", "--name", "2026-27 baseline")
    assert again.exit_code != 0 and "only an open cycle closes" in again.output
    assert "has no cycle named 'Nope'" in _run(app, "cycles", "open", "--name", "Nope").output


def test_make_run_serves_on_the_port_given_and_links_follow_it():
    """`make run PORT=5001` (dry run): the server listens on 5001 and the links it prints or
    mails (PUBLIC_BASE_URL) point there; a PUBLIC_BASE_URL given wins."""
    root = Path(__file__).resolve().parents[1]

    def planned(*args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "PORT")}
        done = subprocess.run(["make", "-n", "-C", str(root), "run", *args], capture_output=True,
                              text=True, check=True, env=env)
        return next(line for line in done.stdout.splitlines() if " run --host" in line)

    assert planned("PORT=5001").startswith("PUBLIC_BASE_URL=http://127.0.0.1:5001 ")
    assert planned("PORT=5001").endswith("--port 5001")
    assert "--port 5000" in planned() and "PUBLIC_BASE_URL=http://127.0.0.1:5000 " in planned()
    assert planned("PORT=5001", "PUBLIC_BASE_URL=https://pd.example.org").startswith(
        "PUBLIC_BASE_URL=https://pd.example.org ")
