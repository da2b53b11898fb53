"""Who an update goes to: confirmed signers who allowed contact, narrowed by a segment."""
from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import OutboxStatus, SignatureStatus
from campaign.updates import bounces, segments
from campaign.updates.segments import Segment
from tests.helpers import outbox_messages
from tests.updates.builders import add_representative, add_signers


@pytest.fixture
def signed(app, ctx, make_campaign):
    """One campaign with signers in three places, some of them not to be written to."""
    slug = make_campaign()
    now = utcnow()
    add_signers(
        slug,
        {"email": "mn5@example.org"},
        {"email": "mn5-old@example.org", "created_at": now - timedelta(days=40)},
        {"email": "mn3@example.org", "district": "MN-03", "postcode": "55441"},
        {"email": "ny@example.org", "region": "NY", "district": "NY-10", "postcode": "10001"},
        {"email": "gb@example.org", "country": "GB", "region": "", "district": "", "postcode": "SW1A 1AA"},
        {"email": "no-contact@example.org", "contact_ok": False},
        {"email": "pending@example.org", "status": SignatureStatus.PENDING, "confirmed_at": None},
        {"email": "invalid@example.org", "status": SignatureStatus.INVALIDATED},
        {"email": "held@example.org", "status": SignatureStatus.HELD, "confirmed_at": None},
    )
    return store.get_by_slug(slug)


def days_ago(days: int):
    return (utcnow() - timedelta(days=days)).date()


@pytest.mark.parametrize(("segment", "expected"), [
    (Segment(), 5),
    (Segment(country="US"), 4),
    (Segment(country="gb"), 1),
    (Segment(region="MN"), 3),
    (Segment(country="US", region="NY"), 1),
    (Segment(district="MN-05"), 2),
    (Segment(district="MN-03"), 1),
    (Segment(region="TX"), 0),
    (Segment(signed_before=days_ago(30)), 1),
    (Segment(signed_from=days_ago(30)), 4),
    (Segment(region="MN", signed_from=days_ago(30)), 2),
])
def test_segment_counts_only_confirmed_signers_who_allowed_contact(signed, segment, expected):
    assert segments.count(signed, segment) == expected


def test_a_representative_counts_the_signers_of_their_seat(signed):
    house = add_representative(name="Ilhan Omar", district="MN-05")
    senator = add_representative(name="Amy Klobuchar", office="senator", district="")
    assert segments.count(signed, Segment(representative_id=house)) == 2
    assert segments.count(signed, Segment(representative_id=senator)) == 3
    choices = segments.choices(signed)
    assert choices["regions"] == ["MN", "NY"] and choices["districts"] == ["MN-03", "MN-05", "NY-10"]
    assert [label for _, label in choices["representatives"]] == [
        "Amy Klobuchar (senator, MN)", "Ilhan Omar (representative, MN-05)"]


def test_an_address_an_update_bounced_from_is_left_out(signed):
    outbox.enqueue(kind=bounces.UPDATE_KIND, to_address="mn3@example.org", subject="s", body="b",
                   campaign_id=signed.id, recipient_key="mn3@example.org")
    db.session.commit()
    assert segments.count(signed, Segment(region="MN")) == 3  # queued is not bounced
    [message] = outbox_messages()
    message.status = OutboxStatus.FAILED
    db.session.commit()
    assert segments.count(signed, Segment(region="MN")) == 2


@pytest.mark.parametrize(("segment", "field"), [
    (Segment(representative_id=999), "representative_id"),
    (Segment(signed_from=days_ago(1), signed_before=days_ago(3)), "signed_before"),
])
def test_a_segment_naming_nothing_real_is_refused_with_its_field(signed, segment, field):
    with pytest.raises(segments.InvalidSegment) as refused:
        segments.count(signed, segment)
    assert refused.value.field == field and str(refused.value)
