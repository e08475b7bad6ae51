"""pages.attempt, the page views' transaction: commit on success; on a service's refusal roll
everything back (the audit event with it) and show the refusal; anything else propagates."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.models import District
from pdplanner.organisation.services import OrganisationError, create_district
from pdplanner.pages import attempt


def counts(db) -> tuple[int, int]:
    db.session.rollback()   # what another request would read: only what was committed
    return (db.session.scalar(select(func.count(District.id))),
            db.session.scalar(select(func.count(AuditEvent.id))))


def test_a_block_that_succeeds_is_committed_with_its_audit_event(app, db):
    with app.test_request_context(method="POST"):
        with attempt(OrganisationError) as made:
            made.result = create_district(code="NEW", name="New")   # and its audit event
        assert made.ok and made.error is None
        assert get_flashed_messages() == []
    assert counts(db) == (1, 1)


def test_a_refusal_rolls_the_whole_block_back_and_is_flashed(app, db):
    with app.test_request_context(method="POST"):
        with attempt(OrganisationError) as made:
            create_district(code="NEW", name="New")
            create_district(code="NEW", name="Again")      # refused: the code is taken
        assert not made.ok
        assert isinstance(made.error, OrganisationError)
        assert get_flashed_messages(with_categories=True) == [
            ("error", "A district with the code NEW already exists.")]
    assert counts(db) == (0, 0)   # nothing half-written: neither the district nor its event


def test_a_view_that_shows_the_refusal_itself_gets_no_flash(app, db):
    with app.test_request_context(method="POST"):
        with attempt(OrganisationError, flash_refusal=False) as made:
            create_district(code="NEW", name="New")
            raise OrganisationError("Refused.")
        assert str(made.error) == "Refused."
        assert get_flashed_messages() == []
    assert counts(db) == (0, 0)


def test_an_unexpected_error_is_not_caught_and_nothing_is_committed(app, db):
    with app.test_request_context(method="POST"):
        with pytest.raises(ZeroDivisionError), attempt(OrganisationError):
            create_district(code="NEW", name="New")
            1 / 0   # noqa: B018
        assert get_flashed_messages() == []
    assert counts(db) == (0, 0)
