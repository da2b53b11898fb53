"""With CSRF protection on, as in production: forms need their token."""
import re

import pytest

from campaign.models import Signature

from .helpers import count_rows


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def test_sign_with_the_token_from_the_page(csrf_app, make_campaign, signer):
    client = csrf_app.test_client()
    slug = make_campaign()
    token = _token(client.get(f"/c/{slug}").text)
    response = client.post(f"/c/{slug}/sign", data=signer(csrf_token=token))
    assert response.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 1


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 500])
def test_missing_or_wrong_token_says_the_form_expired(csrf_app, make_campaign, signer, token):
    client = csrf_app.test_client()
    slug = make_campaign()
    client.get(f"/c/{slug}")  # a session exists, but the token is not its own
    response = client.post(f"/c/{slug}/sign", data=signer(csrf_token=token))
    assert response.status_code == 400
    assert "This form has expired" in response.text
    with csrf_app.app_context():
        assert count_rows(Signature) == 0


def test_token_from_another_session_is_refused(csrf_app, make_campaign, signer):
    slug = make_campaign()
    token = _token(csrf_app.test_client().get(f"/c/{slug}").text)
    response = csrf_app.test_client().post(f"/c/{slug}/sign", data=signer(csrf_token=token))
    assert response.status_code == 400
    assert "This form has expired" in response.text
