"""Whatever a visitor sends to the sign form, the answer is a page, never a crash."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.models import Signature
from tests.helpers import count_rows, signatures

FIELDS = ["full_name", "email", "postcode", "country", "comment", "show_name", "contact_ok", "ref"]
# Any Unicode text, including controls, surrogate-free (a browser cannot send surrogates).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
nearly_valid = st.sampled_from(["Ada Lovelace", "ada@example.org", "02139", "US", "gb", "SW1A 1AA", "y"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(any_text, nearly_valid)))
def test_any_form_gets_a_page_and_stores_only_clean_rows(app, client, make_campaign, form):
    if not hasattr(app, "_fuzz_slug"):
        app._fuzz_slug = make_campaign()
    response = client.post(f"/c/{app._fuzz_slug}/sign", data=form)
    assert response.status_code in (303, 422), response.status_code
    with app.app_context():
        for signature in signatures():
            assert signature.full_name == signature.full_name.strip() and signature.full_name
            assert "\x00" not in signature.full_name + signature.comment + signature.postcode
            assert signature.country.isupper() and len(signature.country) == 2
        stored = count_rows(Signature)
    assert (response.status_code == 303) or stored == getattr(app, "_fuzz_stored", 0)
    app._fuzz_stored = stored
