"""The abuse watch: floods from one address, network or email domain, per hour, and acting on them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.abuse import network, watch
from campaign.abuse.watch import DOMAIN, IP, NETWORK
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from tests.helpers import links, query_of

KEY = "testing-only-secret"  # TestingConfig's SECRET_KEY: the hashes the app would store
FLOOD_IP = "203.0.113.9"


def _add(app, slug: str, rows: list[dict]) -> None:
    """Signatures as the sign request stores them: ip given as an address, hashed here."""
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        db.session.add_all([_signature(campaign_id, n, **row) for n, row in enumerate(rows, start=_serial())])
        db.session.commit()
        db.session.remove()


_serials = iter(range(0, 10**9, 10_000))


def _serial() -> int:
    return next(_serials)


def _signature(campaign_id: int, n: int, *, at, ip: str, domain: str = "",
               status: str = SignatureStatus.CONFIRMED) -> Signature:
    ip_hash, net_hash = network.ip_hashes(KEY, ip)
    email = f"s{n}@{domain or f'home{n}.example'}"
    return Signature(campaign_id=campaign_id, full_name=f"Signer {n}", email=email, email_key=email,
                     country="US", postcode="02139", status=status, created_at=at,
                     confirmed_at=at if status == SignatureStatus.CONFIRMED else None,
                     ip_hash=ip_hash, ip_net_hash=net_hash)


def _hour(hours_ago: int):
    """The start of an hour, by the clock the watch reads. Tests stop that clock (fixture
    `clock`): at hh:59:59 a running one would turn the hour between the signatures stored
    and the watch, and every flag would be an hour older than expected."""
    return watch.utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)


def _normal(hours_ago: int, number: int, offset: int = 0) -> list[dict]:
    """People signing once each, from addresses of different networks and their own domains."""
    return [{"at": _hour(hours_ago) + timedelta(minutes=n % 60), "ip": f"10.{offset + n}.{n % 250}.1"}
            for n in range(number)]


@pytest.fixture
def watched(app, make_campaign, clock):
    """A campaign with normal traffic, a flood from one address, one from a domain through many
    addresses, and busy but normal hours at a big mail provider; returns its slug."""
    slug = make_campaign()
    flood = [{"at": _hour(2) + timedelta(minutes=n), "ip": FLOOD_IP, "domain": "inbox.example"}
             for n in range(30)]
    spam = [{"at": _hour(5) + timedelta(minutes=n), "ip": f"192.0.{n}.7", "domain": "spam.example"}
            for n in range(25)]
    gmail = [{"at": _hour(2) + timedelta(minutes=n), "ip": f"172.16.{n}.3", "domain": "gmail.com"}
             for n in range(20)]
    old = [{"at": _hour(60) + timedelta(minutes=n), "ip": "198.51.100.200"} for n in range(40)]
    _add(app, slug, _normal(2, 40) + _normal(5, 30, offset=100) + flood + spam + gmail + old)
    return slug


def _flags(app, slug: str, **settings) -> set[tuple[str, str, int, int]]:
    """(kind, label, hours ago, count) of every flag."""
    settings.setdefault("common_domains", ["gmail.com"])
    with app.app_context():
        result = watch.watch(store.get_by_slug(slug).id, now=watch.utcnow(), **settings)
        db.session.remove()
    now_hour = _hour(0)
    return {(f.kind.name, f.label, int((now_hour - f.hour) / timedelta(hours=1)), f.count)
            for f in result.flags}


def test_floods_are_flagged_and_normal_traffic_is_not(app, watched):
    ip_hash, net_hash = network.ip_hashes(KEY, FLOOD_IP)
    assert _flags(app, watched) == {
        ("ip", ip_hash[:12], 2, 30),
        ("network", net_hash[:12], 2, 30),  # the flood's /24
        ("domain", "inbox.example", 2, 30),
        ("domain", "spam.example", 5, 25),  # one domain through many addresses
    }


def test_the_bar_rises_with_the_hours_median(app, make_campaign, clock):
    slug = make_campaign()
    # Everyone signs three times this hour (family members, say): the median is 3, the bar 30.
    rows = [{"at": _hour(1) + timedelta(minutes=m), "ip": f"10.{n}.0.1"} for n in range(20) for m in range(3)]
    rows += [{"at": _hour(1) + timedelta(minutes=n % 60), "ip": "203.0.113.50"} for n in range(29)]
    rows += [{"at": _hour(3) + timedelta(minutes=n), "ip": "203.0.113.60"} for n in range(9)]
    _add(app, slug, rows)
    # 29 < 30; 9 < 10 (alone in its hour: the others' median is taken as 1)
    assert not {f for f in _flags(app, slug) if f[0] == "ip"}
    _add(app, slug, [{"at": _hour(1), "ip": "203.0.113.50"}])
    _add(app, slug, [{"at": _hour(3), "ip": "203.0.113.60"}])
    flagged = {(f[2], f[3]) for f in _flags(app, slug) if f[0] == "ip"}
    assert flagged == {(1, 30), (3, 10)}


def test_settings_and_window(app, watched):
    assert {f[0] for f in _flags(app, watched, min_count=26)} == {"ip", "network", "domain"}
    assert ("domain", "spam.example", 5, 25) not in _flags(app, watched, min_count=26)
    assert {f[2] for f in _flags(app, watched, hours=3)} == {2}  # hour 5 is outside
    assert _flags(app, watched, factor=40) == set()  # 40 x median 1 > 30
    # A big provider is many every hour: left out by name; otherwise it shows like any domain.
    assert ("domain", "gmail.com", 2, 20) in _flags(app, watched, common_domains=[])


def test_invalidated_signatures_are_left_out(app, make_campaign, clock):
    slug = make_campaign()
    _add(app, slug, _normal(1, 10) + [{"at": _hour(1), "ip": FLOOD_IP, "status": SignatureStatus.INVALIDATED}
                                      for _ in range(20)])
    assert _flags(app, slug) == set()


def test_the_median_of_the_other_sources():
    assert watch._median_of_others([(1, 99), (50, 1)], 50) == 1
    assert watch._median_of_others([(1, 2), (3, 3)], 3) == 2
    assert watch._median_of_others([(7, 1), (1, 1), (5, 1), (9, 1)], 9) == 5
    assert watch._median_of_others([(40, 1)], 40) == 1  # alone in its hour


@pytest.fixture
def organizer_client(app, client, watched, make_organizer, login):
    login(client, make_organizer(campaigns_owned=[watched]))
    return client


def test_the_overview_lists_the_floods_with_one_click_to_invalidate(app, organizer_client, watched):
    client = organizer_client
    ip_hash, _ = network.ip_hashes(KEY, FLOOD_IP)
    page = client.get(f"/organizer/c/{watched}/")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Unusual activity" in text
    assert f"IP address <code>{ip_hash[:12]}</code></th> <td class=\"num\">30</td>" in text
    assert "Email domain <code>spam.example</code></th> <td class=\"num\">25</td>" in text
    assert "gmail.com" not in text and FLOOD_IP not in text
    [invalidate] = [href for href, label in links(page.text)
                    if label == "Invalidate all from it…" and ip_hash.startswith(query_of(href).get("ip_hash", "-"))]
    preview = client.get(invalidate)
    assert "Invalidate 30 signers?" in preview.text
    done = client.post(invalidate, data={"operation": "invalidate", "expected": 30, "reason": "flood"})
    assert done.status_code == 303
    with app.app_context():
        statuses = {(s.ip_hash == ip_hash, s.status) for s in db.session.query(Signature)}
        assert statuses == {(True, "invalidated"), (False, "confirmed")}
    after = client.get(f"/organizer/c/{watched}/").text
    assert ip_hash[:12] not in after and "spam.example" in after


def test_watch_links_filter_by_network_and_domain(organizer_client, watched):
    page = organizer_client.get(f"/organizer/c/{watched}/").text
    _, net_hash = network.ip_hashes(KEY, FLOOD_IP)
    targets = {tuple(sorted(query_of(href))) for href, label in links(page) if label == "See them"}
    assert ("ip_net_hash",) in targets and ("email_domain",) in targets and ("ip_hash",) in targets
    listed = organizer_client.get(f"/organizer/c/{watched}/signers?ip_net_hash={net_hash[:12]}")
    assert "<strong>30</strong> matching signers" in listed.text
    [block] = [href for href, label in links(page) if label == "Block it…" and "spam.example" in href]
    assert query_of(block) == {"kind": "block_domain", "value": "spam.example"}


@pytest.mark.parametrize("value", ["xyz", "abc", "0123456789abcdef" * 5])
def test_bad_hash_filters_get_400_with_a_message(organizer_client, watched, value):
    answer = organizer_client.get(f"/organizer/c/{watched}/signers?ip_hash={value}")
    assert answer.status_code == 400
    assert "Enter 8 to 64 of the characters 0-9 and a-f." in answer.text


def test_an_empty_campaign_has_nothing_unusual(client, make_campaign, make_organizer, login):
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    assert "Nothing unusual in the last 48 hours." in client.get(f"/organizer/c/{slug}/").text


def test_kinds_filter_as_the_signer_list_does():
    assert (IP.filter_name, NETWORK.filter_name, DOMAIN.filter_name) == (
        "ip_hash", "ip_net_hash", "email_domain")
