"""Confirmation tokens: issued with each confirmation email, checked when the signer clicks."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select

from campaign import database, tokens
from campaign.extensions import db
from campaign.models import Campaign, ConfirmationToken, Signature


class TokenInvalid(Exception):
    """No such token for this campaign."""


class TokenExpired(Exception):
    """The token was real but is too old."""


def issue(signature: Signature, *, now: datetime) -> str:
    """Store the hash of a new token for the signature; return the nonce it is derived from.

    The outbox turns the nonce into the token only when it sends the email, so the token
    itself is never written anywhere but the email.
    """
    nonce = tokens.new_nonce()
    token = tokens.token_from_nonce(current_app.config["SECRET_KEY"], nonce)
    lifetime = timedelta(days=current_app.config["CONFIRM_TOKEN_DAYS"])
    database.execute_plain(insert(ConfirmationToken.__table__), {
        "signature_id": signature.id,
        "token_hash": tokens.hash_token(token),
        "created_at": now,
        "expires_at": now + lifetime,
    })
    return nonce


def find(campaign: Campaign, token: str, *, now: datetime) -> Signature:
    """The signature a token confirms; TokenInvalid or TokenExpired otherwise."""
    if not tokens.looks_like_token(token):
        raise TokenInvalid()
    row = db.session.scalar(
        select(ConfirmationToken).where(ConfirmationToken.token_hash == tokens.hash_token(token))
    )
    if row is None or row.signature.campaign_id != campaign.id:
        raise TokenInvalid()
    if row.expires_at <= now:
        raise TokenExpired()
    return row.signature
