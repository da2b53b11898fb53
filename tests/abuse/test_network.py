"""Signers' IP addresses: stored only as salted hashes, still matchable by network."""
import pytest

from campaign.abuse.network import ip_hashes, range_hashes
from campaign.models import Signature
from tests.helpers import signatures


def test_hashes_hide_the_address_and_group_its_network():
    one, net_one = ip_hashes("k", "203.0.113.7")
    two, net_two = ip_hashes("k", "203.0.113.200")
    assert one != two and net_one == net_two
    assert "203.0.113" not in one + net_one
    assert ip_hashes("other-key", "203.0.113.7")[0] != one  # salted by the secret key
    assert ip_hashes("k", "::ffff:203.0.113.7") == (one, net_one)  # IPv4 seen through IPv6


@pytest.mark.parametrize("address", [None, "", "not an ip", "999.1.1.1", "\x00"])
def test_malformed_addresses_give_no_hash(address):
    assert ip_hashes("k", address) == ("", "")


def test_ranges_match_the_stored_hashes():
    ip, net = ip_hashes("k", "2001:db8:1:2::5")
    assert range_hashes("k", "2001:db8:1::/48") == ("net", [net])
    assert range_hashes("k", "2001:db8:1:2::5") == ("ip", [ip])
    kind, nets = range_hashes("k", "198.51.0.0/16")
    assert kind == "net" and len(nets) == 256 and ip_hashes("k", "198.51.77.1")[1] in nets


@pytest.mark.parametrize("cidr", ["198.51.100.0/25", "10.0.0.0/8", "nonsense"])
def test_unmatchable_ranges_are_refused(cidr):
    with pytest.raises(ValueError):
        range_hashes("k", cidr)


def test_signing_stores_hashes_not_the_address(app, client, make_campaign, signer):
    slug = make_campaign()
    client.post(f"/c/{slug}/sign", data=signer(), environ_base={"REMOTE_ADDR": "192.0.2.44"})
    with app.app_context():
        [signature] = signatures()
        assert (signature.ip_hash, signature.ip_net_hash) == ip_hashes(app.config["SECRET_KEY"], "192.0.2.44")
        assert all("192.0.2" not in str(getattr(signature, c.key)) for c in Signature.__table__.columns)


def test_behind_a_proxy_the_forwarded_address_is_hashed(app, client, make_campaign, signer):
    """Only when PROXY_FIX_HOPS says a proxy is there; otherwise the header is ignored."""
    import config
    from campaign import create_app

    slug = make_campaign()
    client.post(f"/c/{slug}/sign", data=signer(), environ_base={"REMOTE_ADDR": "10.0.0.1"},
                headers={"X-Forwarded-For": "192.0.2.44"})
    proxied = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         PROXY_FIX_HOPS=1)
    proxied.test_client().post(f"/c/{slug}/sign", data=signer(email="b@example.org"),
                               environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "192.0.2.44"})
    with app.app_context():
        first, second = signatures()
        key = app.config["SECRET_KEY"]
        assert first.ip_hash == ip_hashes(key, "10.0.0.1")[0]
        assert second.ip_hash == ip_hashes(key, "192.0.2.44")[0]
    with proxied.app_context():
        from campaign.extensions import db

        db.engine.dispose()
