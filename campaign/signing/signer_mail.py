"""The emails a signer gets: confirm, already signed, thanks; a few a day at most."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from campaign.extensions import db
from campaign.languages import translations
from campaign.links import public_url
from campaign.mail import outbox
from campaign.models import Campaign, OutboxMessage, OutboxStatus, Signature
from campaign.signing import confirmations, removal_links

# The outbox kind (and template) of confirmation emails; bounces.py looks for their failures.
CONFIRMATION_KIND = "confirm"
ALREADY_SIGNED_KIND = "already_signed"


def _send(
    kind: str, campaign: Campaign, signature: Signature, now: datetime, *, subject: str, link: str,
    nonce: str | None = None,
) -> None:
    # In the signer's language: the fixed text through the catalogs, the campaign's from its
    # translation (subject is a lazy string, translated here).
    with translations.speaking(signature.language):
        shown = translations.localized(campaign, signature.language)
        body = render_template(
            f"email/{kind}.txt",
            campaign=shown,
            name=signature.full_name,
            link=link,
            days=current_app.config["CONFIRM_TOKEN_DAYS"],
            remove_link=removal_links.removal_link(campaign, signature, now=now),
        )
        subject_line = f"{subject}: {shown.title}"
    outbox.enqueue(
        kind=kind,
        to_address=signature.email,
        subject=subject_line,
        body=body,
        campaign_id=campaign.id,
        recipient_key=signature.email_key,
        token_nonce=nonce,
    )


def _may_email(campaign: Campaign, signature: Signature, now: datetime, first: bool = False) -> bool:
    if first:  # a signature made this instant has had no email yet
        return True
    limit = current_app.config["EMAILS_PER_ADDRESS_PER_DAY"]
    return outbox.recent_count(campaign.id, signature.email_key, now - timedelta(days=1)) < limit


def send_confirmation(campaign: Campaign, signature: Signature, *, now: datetime, first: bool = False) -> bool:
    """Queue an email with a new confirmation link, unless the daily limit is reached."""
    if not _may_email(campaign, signature, now, first):
        return False
    _queue_confirmation(campaign, signature, now)
    return True


def send_confirmation_on_request(campaign: Campaign, signature: Signature, *, now: datetime) -> bool:
    """For a pending signer who asks for a new link: one, unless the last link asked for is
    still waiting in the outbox (a double click, the form sent twice) or the daily limit is
    reached. Once that one has gone, a new request gets a new link at once: the person asking
    may not have received it."""
    waiting = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.campaign_id == campaign.id,
            OutboxMessage.recipient_key == signature.email_key,
            OutboxMessage.created_at >= now - timedelta(days=1),
            OutboxMessage.kind == CONFIRMATION_KIND,
            OutboxMessage.status == OutboxStatus.PENDING))
    return not waiting and send_confirmation(campaign, signature, now=now)


def send_confirmation_again(campaign: Campaign, signature: Signature, *, now: datetime) -> bool:
    """For a pending signer who signs again: the link again, unless one was queued less than
    CONFIRMATION_RESEND_MINUTES ago (a double click, a form sent twice) or the daily limit is
    reached."""
    if not _repeat_may_email(campaign, signature, now, CONFIRMATION_KIND):
        return False
    _queue_confirmation(campaign, signature, now)
    return True


def _repeat_may_email(campaign: Campaign, signature: Signature, now: datetime, kind: str) -> bool:
    """Whether a repeat may get an email of this kind: within the daily limit, and none of the
    kind queued in the last CONFIRMATION_RESEND_MINUTES (one click, one email)."""
    config = current_app.config
    emails_today, last_of_kind_at = db.session.execute(
        emails_since_query(campaign.id, signature.email_key, now - timedelta(days=1), kind)).one()
    if emails_today >= config["EMAILS_PER_ADDRESS_PER_DAY"]:
        return False
    window = timedelta(minutes=config["CONFIRMATION_RESEND_MINUTES"])
    return last_of_kind_at is None or now - last_of_kind_at >= window


def emails_since_query(campaign_id: int, recipient_key: str, since: datetime,
                       kind: str = CONFIRMATION_KIND) -> Select:
    """How many emails one signer was sent about one campaign since a time, and when the last
    of one kind was queued: one range of the outbox's (campaign_id, recipient_key, created_at)
    index."""
    return (
        select(func.count(OutboxMessage.id),
               func.max(OutboxMessage.created_at).filter(OutboxMessage.kind == kind))
        .where(OutboxMessage.campaign_id == campaign_id,
               OutboxMessage.recipient_key == recipient_key,
               OutboxMessage.created_at >= since)
    )


def _queue_confirmation(campaign: Campaign, signature: Signature, now: datetime) -> None:
    nonce = confirmations.issue(signature, now=now)
    link = public_url("public.confirm", slug=campaign.slug, token=outbox.TOKEN_PLACEHOLDER,
                      lang=translations.link_language(campaign, signature.language))
    _send(CONFIRMATION_KIND, campaign, signature, now, subject=_l("Please confirm your signature"),
          link=link, nonce=nonce)


def _send_with_campaign_link(kind: str, subject: str, campaign: Campaign, signature: Signature,
                             now: datetime, first: bool = False) -> bool:
    if not _may_email(campaign, signature, now, first):
        return False
    _send(kind, campaign, signature, now, subject=subject, link=_campaign_link(campaign, signature))
    return True


def _campaign_link(campaign: Campaign, signature: Signature) -> str:
    """The campaign's page in the signer's language."""
    return public_url("public.campaign", slug=campaign.slug,
                      lang=translations.link_language(campaign, signature.language))


def send_already_signed(campaign: Campaign, signature: Signature, *, now: datetime) -> bool:
    """Tell a confirmed signer who signed again that their signature already counts (once per
    CONFIRMATION_RESEND_MINUTES, like the link to a pending one)."""
    if not _repeat_may_email(campaign, signature, now, ALREADY_SIGNED_KIND):
        return False
    _send(ALREADY_SIGNED_KIND, campaign, signature, now, subject=_l("You have already signed"),
          link=_campaign_link(campaign, signature))
    return True


def send_thanks(campaign: Campaign, signature: Signature, *, now: datetime, first: bool = False) -> bool:
    """Thank a signer whose signature counted at once (campaigns without confirmation)."""
    return _send_with_campaign_link("thanks", _l("Thank you for signing"), campaign, signature, now, first)
