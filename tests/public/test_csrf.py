"""With CSRF protection on, as in production: forms need their token."""
import re

import pytest

from campaign.models import Signature
from tests.helpers import count_rows


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


def test_cached_page_gives_each_visitor_their_own_token(csrf_app, make_campaign, signer):
    """The campaign page is rendered once and reused: the token and ref must still be each visitor's."""
    csrf_app.config["TALLY_CACHE_SECONDS"] = 60
    slug = make_campaign()
    first, second = csrf_app.test_client(), csrf_app.test_client()
    page_one = first.get(f"/c/{slug}?ref=x").text
    page_two = second.get(f"/c/{slug}?ref=%22%3E%3Cscript%3E").text
    assert _token(page_one) != _token(page_two)
    assert 'name="ref" type="hidden" value="x"' in page_one
    assert "<script>" not in page_two and 'value="&#34;&gt;&lt;script&gt;"' in page_two
    for client, page, email in [(first, page_one, "one@example.org"), (second, page_two, "two@example.org")]:
        response = client.post(f"/c/{slug}/sign", data=signer(email=email, csrf_token=_token(page)))
        assert response.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 2
