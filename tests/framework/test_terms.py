"""A framework version's terms kept per process (`framework.terms`): what the ORM says, read
once, and read afresh whenever this process writes to a framework's tables."""

from sqlalchemy import event, update

from pdplanner.framework.models import Competency, ScaleLevel
from pdplanner.framework.terms import framework_terms
from tests.helpers import load_default_framework


def _statements(db, read) -> int:
    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def test_the_terms_are_the_frameworks_read_once(db):
    framework = load_default_framework()
    db.session.flush()
    assert _statements(db, lambda: framework_terms(framework.id)) == 3
    terms = framework_terms(framework.id)
    assert [(c.code, c.name, c.domain_code) for c in terms.competencies] == [
        (c.code, c.name, c.domain.code) for c in framework.competencies]
    assert [(d.code, d.name) for d in terms.domains] == [(d.code, d.name) for d in framework.domains]
    assert terms.levels == tuple((level.value, level.label) for level in framework.levels)
    assert (terms.target_level, terms.max_level) == (framework.target_level, 4)
    assert _statements(db, lambda: framework_terms(framework.id)) == 0


def test_an_edit_through_the_orm_is_read_afresh(db):
    """Stored versions are never edited by the services; a test (or anything in this process)
    that edits one anyway must not be served the kept terms."""
    framework = load_default_framework()
    db.session.flush()
    assert framework_terms(framework.id).competencies[0].name != "Renamed"
    framework.competencies[0].name = "Renamed"
    framework.levels[-1].label = "Mastering"
    db.session.flush()
    terms = framework_terms(framework.id)
    assert terms.competencies[0].name == "Renamed" and terms.levels[-1] == (4, "Mastering")


def test_a_bulk_statement_on_a_frameworks_tables_is_read_afresh(db):
    framework = load_default_framework()
    db.session.flush()
    framework_terms(framework.id)
    db.session.execute(update(Competency).where(Competency.framework_id == framework.id)
                       .values(name="Bulk"))
    db.session.execute(update(ScaleLevel).values(label="Starting")
                       .where(ScaleLevel.framework_id == framework.id, ScaleLevel.value == 1))
    terms = framework_terms(framework.id)
    assert {c.name for c in terms.competencies} == {"Bulk"} and terms.levels[0] == (1, "Starting")
