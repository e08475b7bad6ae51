"""`seed conditions` and `conditions import`: idempotent, all or nothing, errors name the file."""

from sqlalchemy import func, select

from pdplanner.cli import DEFAULT_CONDITIONS
from pdplanner.conditions.models import ConditionArea, ConditionsFramework


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_seed_conditions_twice_changes_nothing(app, db):
    assert _run(app, "seed", "framework").exit_code == 0
    first = _run(app, "seed", "conditions")
    assert first.exit_code == 0, first.output
    assert "district-conditions version 1" in first.output
    assert "created (13 areas, 44 indicators)" in first.output
    second = _run(app, "seed", "conditions")
    assert "unchanged" in second.output
    assert _count(db, ConditionsFramework) == 1 and _count(db, ConditionArea) == 13


def test_import_for_a_district_and_a_changed_file_is_a_new_version(app, db, tmp_path):
    _run(app, "seed", "framework")
    _run(app, "districts", "create", "--code", "north", "--name", "North ISD")
    own = _run(app, "conditions", "import", str(DEFAULT_CONDITIONS), "--district", "NORTH")
    assert "created" in own.output, own.output
    changed = tmp_path / "ours.yaml"
    changed.write_text(DEFAULT_CONDITIONS.read_text().replace("name: Culture", "name: School culture"))
    result = _run(app, "conditions", "import", str(changed), "--district", "north")
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output and "new version" in result.output


def test_a_bad_file_is_named_and_nothing_is_written(app, db, tmp_path):
    _run(app, "seed", "framework")
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_CONDITIONS.read_text().replace("code: ENV.2", "code: ENV.1"))
    result = _run(app, "conditions", "import", str(bad))
    assert result.exit_code != 0
    assert "bad.yaml: areas[3].indicators[1].code: ENV.1 is used twice" in result.output
    assert _count(db, ConditionsFramework) == 0


def test_a_file_that_is_not_text_or_not_a_mapping_is_refused_clearly(app, db, tmp_path):
    _run(app, "seed", "framework")
    binary = tmp_path / "scan.yaml"
    binary.write_bytes(b"slug: x\n\xff\xfe")
    result = _run(app, "conditions", "import", str(binary))
    assert "scan.yaml: not UTF-8 text (byte 8 cannot be read)" in result.output
    listed = tmp_path / "list.json"
    listed.write_text('["Curriculum"]')
    assert "list.json: the document: must be a mapping of fields, not list" in _run(
        app, "conditions", "import", str(listed)).output
    assert _count(db, ConditionsFramework) == 0
