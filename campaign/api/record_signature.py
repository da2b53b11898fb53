"""record_signature_helper: a person and their signature in one POST, by the sign form's rules.

The person's details go through the same checks as the sign form's fields (signing.signer_input)
and the signature through the same operation (signing.submission): the same duplicate,
confirmation, closing and block-list rules, and the answer is the same whether the address was
new or had signed already.
"""
from __future__ import annotations

from flask import current_app, request

from campaign.api import limits
from campaign.api.blueprint import audited, base_url, bp, document, problem, writes
from campaign.api.petitions import campaign_or_404
from campaign.clock import utcnow
from campaign.models import Campaign
from campaign.osdi.documents import api_url
from campaign.signing import signer_input, submission
from campaign.signing.signatures import SignerDetails
from campaign.signing.signer_input import InvalidInput
from campaign.signing.submission import SignOutcome

NAME = "person.given_name"
EMAIL = "person.email_addresses[0].address"
COUNTRY = "person.postal_addresses[0].country"
POSTCODE = "person.postal_addresses[0].postal_code"
COMMENT = "comments"
RECEIVED = ("Received. Unless this address had signed already, the signature is recorded and, "
            "where the petition asks for it, waits for the confirmation emailed to the signer.")


def _first(items) -> dict:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def details_of(body: dict, campaign: Campaign, errors: dict[str, str]) -> SignerDetails | None:
    """The signer's details from an OSDI person, checked field by field as the sign form does."""
    person = body.get("person") if isinstance(body.get("person"), dict) else {}
    email_entry = _first(person.get("email_addresses"))
    address = _first(person.get("postal_addresses"))
    given, family = _text(person.get("given_name")) or "", _text(person.get("family_name")) or ""

    def clean(field: str, rule, raw, *args, **kwargs) -> str:
        try:
            return rule(raw, *args, **kwargs)
        except InvalidInput as error:
            errors[field] = str(error)
            return ""

    name = clean(NAME, signer_input.clean_name, f"{given} {family}".strip())
    email = clean(EMAIL, signer_input.clean_email, _text(email_entry.get("address")),
                  check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"])
    country = clean(COUNTRY, signer_input.clean_country, _text(address.get("country")),
                    default=campaign.default_country)
    postcode = (clean(POSTCODE, signer_input.clean_postcode, _text(address.get("postal_code")),
                      country) if country else "")
    comment = clean(COMMENT, signer_input.clean_comment, _text(body.get("comments")))
    if errors:
        return None
    referrer = body.get("referrer_data") if isinstance(body.get("referrer_data"), dict) else {}
    return SignerDetails(
        full_name=name, email=email, country=country, postcode=postcode, comment=comment,
        # Consent is the signer's: only an address the client marks "subscribed" may be written to.
        contact_ok=email_entry.get("status") == "subscribed",
        source=signer_input.clean_source(_text(referrer.get("source"))),
        language=campaign.language,
    )


@bp.post("/petitions/<petition_id>/signatures")
@writes
def record_signature(petition_id: str):
    """{"person": {...}, "comments"?, "referrer_data"?, "add_tags"?} → 202, whatever it was."""
    campaign = campaign_or_404(petition_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Invalid request", "Send a JSON object with a person.")
    refused = limits.over("SIGN_RATE_LIMIT", "api-sign", campaign)
    if refused is not None:
        return refused
    errors: dict[str, str] = {}
    taken = submission.submit(campaign, lambda: details_of(body, campaign, errors),
                              remote_addr=request.remote_addr,
                              secret_key=current_app.config["SECRET_KEY"], now=utcnow())
    # Every answer counts, as the form's do (only our failures and the refusal itself never).
    limits.spend("SIGN_RATE_LIMIT", "api-sign", campaign)
    if taken.outcome == SignOutcome.CLOSED:
        return problem(409, "Petition closed", submission.CLOSED_NOTICE)
    if taken.outcome == SignOutcome.INVALID:
        return problem(400, "Invalid signature", "Nothing was stored.", errors=errors)
    # One line whatever happened: a repeat is not told apart here either.
    audited("api.signature.recorded", campaign=campaign, rows=1)
    return document({"message": RECEIVED,
                     "_links": {"osdi:petition": {"href": api_url(base_url(), "petitions",
                                                                  campaign.uuid)}}}, 202)
