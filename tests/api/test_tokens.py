"""Personal access tokens: issue, use, revoke; stored hashed; on the account page and the CLI."""

import hashlib
import re

from sqlalchemy import select

from pdplanner.accounts.models import ApiToken
from pdplanner.accounts.services import create_token, revoke_token, user_for_token
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.services import set_active
from tests.conftest import csrf_from
from tests.helpers import sign_in_directly


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_only_a_hash_and_a_prefix_are_stored(db, town):
    token, secret = create_token(town.teacher, "Gradebook sync", actor=town.teacher)
    db.session.commit()
    assert secret.startswith("pdp_") and len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = db.session.execute(select(ApiToken.__table__)).mappings().one()
    assert secret not in {str(v) for v in stored.values()}
    assert "api_token.created" in actions(db)


def test_a_token_authenticates_and_records_its_last_use(db, client, town, bearer):
    headers = bearer(town.teacher)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.json["email"] == "teacher@town.org"
    assert "Set-Cookie" not in response.headers  # a token call never starts a session
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_revoked_token_is_refused_with_401(db, client, town, bearer):
    headers = bearer(town.teacher)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert revoke_token(town.teacher, token.id, actor=town.teacher) is token
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert "api_token.revoked" in actions(db)


def test_a_deactivated_owners_token_is_refused(db, client, town, bearer):
    headers = bearer(town.teacher)
    set_active(town.teacher, False)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_and_malformed_tokens_are_refused(client, town):
    for header in ("Bearer pdp_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "pdp_abc"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.content_type == "application/problem+json"


def test_anonymous_api_call_gets_401_not_a_redirect(client, town):
    response = client.get("/api/v1/educators")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["title"] == "Unauthorized"


def test_someone_cannot_revoke_another_persons_token(db, town):
    token, _ = create_token(town.teacher, "mine")
    db.session.commit()
    assert revoke_token(town.coach, token.id, actor=town.coach) is None
    assert user_for_token(_) is not None


def test_account_page_creates_lists_and_revokes_tokens(db, client, town):
    sign_in_directly(client, town.teacher)
    csrf = csrf_from(client, "/account")
    html = client.post("/account/tokens", data={"name": "Gradebook sync", "csrf_token": csrf},
                       ).get_data(as_text=True)
    secret = re.search(r'id="new-token" class="link-box" type="text" readonly value="(pdp_[^"]+)"',
                       html).group(1)
    assert 'role="status"' in html and '<label for="new-token"' in html
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    page = client.get("/account").get_data(as_text=True)
    assert "Gradebook sync" in page and secret[:8] in page
    assert secret not in page  # shown once only

    token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert "Revoked on" in client.get("/account").get_data(as_text=True)
    fresh = client.application.test_client()
    assert fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_token_name_is_required_on_the_page(client, town):
    sign_in_directly(client, town.teacher)
    csrf = csrf_from(client, "/account")
    html = client.post("/account/tokens", data={"name": " ", "csrf_token": csrf}).get_data(as_text=True)
    assert "Please check the form" in html and "new-token" not in html


def test_revoking_without_csrf_is_refused(db, client, town):
    token, _ = create_token(town.teacher, "mine")
    db.session.commit()
    sign_in_directly(client, town.teacher)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_another_persons_token_cannot_be_revoked_from_the_page(db, client, town):
    token, _ = create_token(town.teacher, "mine")
    db.session.commit()
    sign_in_directly(client, town.coach)
    csrf = csrf_from(client, "/account")
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_cli_creates_a_token_and_prints_it_once(app, db, town):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", "teacher@town.org",
                                                "--name", "Nightly export"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("pdp_")
    assert user_for_token(secret).email == "teacher@town.org"
    assert db.session.scalar(select(ApiToken.name)) == "Nightly export"


def test_cli_refuses_an_unknown_email(app, db, town):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", "nobody@town.org"])
    assert result.exit_code != 0
    assert "No active person" in result.output
