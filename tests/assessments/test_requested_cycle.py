"""permissions.requested_cycle: the one rule for which cycle a request means."""

from datetime import date

import pytest
from flask import g
from werkzeug.exceptions import NotFound

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import close_cycle, create_cycle, open_cycle
from pdplanner.permissions import requested_cycle
from tests.factories import create_district, create_user
from tests.helpers import load_default_framework


def cycle_of(district, name, opens_on):
    return create_cycle(district_id=district.id, name=name, opens_on=opens_on,
                        closes_on=opens_on.replace(month=opens_on.month + 1),
                        framework=load_default_framework())


@pytest.fixture
def admin(db):
    return create_user(Role.DISTRICT_ADMIN, district=create_district("HOME"))


def test_no_cycle_yet_is_none_for_the_caller_to_explain(app, admin):
    with app.test_request_context():
        assert requested_cycle(admin, None) is None


def test_the_named_cycle_of_the_district(app, admin):
    draft = cycle_of(admin.district, "Draft", date(2026, 9, 1))
    with app.test_request_context():
        assert requested_cycle(admin, draft.id) is draft


def test_without_a_name_the_open_cycle_else_the_newest_closed(app, admin):
    closed = cycle_of(admin.district, "Spring", date(2026, 3, 1))
    open_cycle(closed)
    close_cycle(closed)
    cycle_of(admin.district, "Draft", date(2026, 11, 1))
    with app.test_request_context():
        assert requested_cycle(admin, None) is closed
    current = cycle_of(admin.district, "Autumn", date(2026, 9, 1))
    open_cycle(current)
    with app.test_request_context():
        assert requested_cycle(admin, None) is current


def test_without_a_name_the_fallback_chooses(app, admin):
    draft = cycle_of(admin.district, "Draft", date(2026, 9, 1))
    asked = []
    with app.test_request_context():
        assert requested_cycle(admin, None, lambda district_id: asked.append(district_id) or draft) is draft
        assert requested_cycle(admin, draft.id, lambda district_id: pytest.fail("not asked")) is draft
    assert asked == [admin.district_id]


def test_another_districts_cycle_is_a_missing_one_and_the_refusal_is_noted(app, admin):
    away = cycle_of(create_district("AWAY"), "Away", date(2026, 9, 1))
    with app.test_request_context():
        with pytest.raises(NotFound):
            requested_cycle(admin, away.id)
        assert g.pop("access_denied") == {"denied": "cycle", "denied_id": away.id}
        with pytest.raises(NotFound):
            requested_cycle(admin, 999_999)
        assert "access_denied" not in g
