"""Typed database models, one module per domain; every model is importable from here.

Alembic and the app read the whole schema through this package: importing it registers every
table, whichever module a caller needs.
"""
from campaign.models.accounts import (
    AuditEntry,
    CampaignMember,
    MemberRole,
    Organizer,
    OrganizerRole,
    OrganizerSession,
)
from campaign.models.api import (
    ApiKey,
    DeliveryState,
    KeyAccess,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from campaign.models.campaigns import Action, ActionKind, Article, Campaign, CampaignStatus
from campaign.models.deliveries import TARGET_OFFICE, AnswerStatus, Delivery, DeliveryMethod
from campaign.models.events import Event, EventStatus, Rsvp, RsvpStatus
from campaign.models.languages import CampaignTranslation
from campaign.models.outbox import OutboxMessage, OutboxStatus
from campaign.models.representatives import (
    Outreach,
    OutreachChannel,
    PostcodeDistrict,
    Representative,
)
from campaign.models.signatures import (
    ConfirmationToken,
    ListRule,
    RuleKind,
    Signature,
    SignatureStatus,
)
from campaign.models.types import BigId, UTCDateTime
from campaign.models.updates import RecipientStatus, Update, UpdateRecipient, UpdateStatus

__all__ = [
    "TARGET_OFFICE",
    "Action",
    "ActionKind",
    "AnswerStatus",
    "ApiKey",
    "Article",
    "AuditEntry",
    "BigId",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "CampaignTranslation",
    "ConfirmationToken",
    "Delivery",
    "DeliveryMethod",
    "DeliveryState",
    "Event",
    "EventStatus",
    "KeyAccess",
    "ListRule",
    "MemberRole",
    "Organizer",
    "OrganizerRole",
    "OrganizerSession",
    "OutboxMessage",
    "OutboxStatus",
    "Outreach",
    "OutreachChannel",
    "PostcodeDistrict",
    "RecipientStatus",
    "Representative",
    "Rsvp",
    "RsvpStatus",
    "RuleKind",
    "Signature",
    "SignatureStatus",
    "UTCDateTime",
    "Update",
    "UpdateRecipient",
    "UpdateStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
]
