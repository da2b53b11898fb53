"""Allow and block lists: addresses exempt from the per-address limit, and blocked addresses,
networks, email domains and emails, whose signatures are held for review instead of counted.

A campaign's entries apply to it alone; entries without a campaign (admins only) apply to
every campaign. Entries are few, so each campaign's are read once and kept for a few seconds.
"""
from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from campaign import audit, cache, database
from campaign.extensions import db
from campaign.models import Campaign, ListRule, Organizer, RuleKind
from campaign.signing.signer_input import InvalidInput, clean_email, duplicate_key

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# What each kind is called on the organizer's page (lazy: in the page's language).
KIND_LABELS = {
    RuleKind.ALLOW_IP: _l("Allowed address or network"),
    RuleKind.BLOCK_IP: _l("Blocked address or network"),
    RuleKind.BLOCK_DOMAIN: _l("Blocked email domain"),
    RuleKind.BLOCK_EMAIL: _l("Blocked email address"),
}
# Wider networks than these are a large part of the internet, not an abuser or a school.
WIDEST_PREFIX = {4: 8, 6: 16}
NOTE_MAX = 200
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidRule(ValueError):
    """A list entry cannot be used; the message says why."""


class DuplicateRule(ValueError):
    """The same entry is already on that list."""


@dataclass(frozen=True)
class Rules:
    """A campaign's entries (its own and every campaign's), ready to match a request."""

    allowed: tuple[IPNetwork, ...] = ()
    blocked: tuple[IPNetwork, ...] = ()
    domains: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    def allows(self, address: str | None) -> bool:
        """Whether the address is on the allow-list (a shared address: no per-address limit)."""
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.allowed)

    def block_reason(self, address: str | None, email_key: str) -> str:
        """The kind of block list that matches a submission ("block_email"...), or ""."""
        if email_key in self.emails:
            return RuleKind.BLOCK_EMAIL
        labels = email_key.rpartition("@")[2].split(".")
        # A blocked domain blocks its subdomains too: mail.spam.example under spam.example.
        if any(".".join(labels[i:]) in self.domains for i in range(len(labels) - 1)):
            return RuleKind.BLOCK_DOMAIN
        ip = _ip(address)
        if ip is not None and any(ip in network for network in self.blocked):
            return RuleKind.BLOCK_IP
        return ""


def _ip(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def clean_value(kind: str, raw: str | None) -> str:
    """The value as stored for that kind: a network, an IDNA domain, or an email's duplicate key."""
    value = (raw or "").strip()
    if not value:
        raise InvalidRule(_("Enter a value."))
    if kind in (RuleKind.ALLOW_IP, RuleKind.BLOCK_IP):
        return _clean_network(value)
    if kind == RuleKind.BLOCK_DOMAIN:
        return _clean_domain(value)
    if kind == RuleKind.BLOCK_EMAIL:
        try:
            return duplicate_key(clean_email(value))
        except InvalidInput as error:
            raise InvalidRule(str(error)) from None
    raise InvalidRule(_("Choose what kind of entry this is."))


def _clean_network(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise InvalidRule(_("Enter an IP address (203.0.113.7 or 2001:db8::7) or a network "
                            "in CIDR form (203.0.113.0/24).")) from None
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen == 128:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return str(mapped)
    if network.prefixlen < WIDEST_PREFIX[network.version]:
        raise InvalidRule(_("This network is too wide: use /%(prefix)s or a narrower one.",
                            prefix=WIDEST_PREFIX[network.version]))
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)  # one address reads better without its /32
    return str(network)


def _clean_domain(value: str) -> str:
    value = value.lower().removeprefix("@").rstrip(".")
    if "@" in value:
        raise InvalidRule(_("Enter the domain alone (spam.example), or choose “%(kind)s”.",
                            kind=KIND_LABELS[RuleKind.BLOCK_EMAIL]))
    try:
        ascii_domain = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidRule(_("This is not a valid domain name.")) from None
    labels = ascii_domain.split(".")
    if (len(labels) < 2 or len(ascii_domain) > 253 or labels[-1].isdigit()
            or not all(_LABEL.match(label) for label in labels)):
        raise InvalidRule(_("Enter a domain name such as spam.example."))
    # As signers' addresses are compared (googlemail.com is gmail.com).
    return duplicate_key(f"x@{ascii_domain}").rpartition("@")[2]


# Bumped on every change made in this process, so that its cached rules are not used again;
# other processes see a change within TALLY_CACHE_SECONDS.
_generation = itertools.count()
_current = [next(_generation)]


def forget() -> None:
    """Drop this process's cached rules (after a committed change)."""
    _current[0] = next(_generation)


def rules_for(slug: str) -> Rules:
    """The rules that apply to the campaign at slug, cached for TALLY_CACHE_SECONDS."""
    return cache.cached(("list-rules", slug, _current[0]), lambda: _load(slug))


def _load(slug: str) -> Rules:
    campaign_id = select(Campaign.id).where(Campaign.slug == slug).scalar_subquery()
    query = select(ListRule.kind, ListRule.value).where(
        or_(ListRule.campaign_id.is_(None), ListRule.campaign_id == campaign_id))
    if db.session().in_transaction():  # the sign request, already writing: read with it
        rows = db.session.execute(query).all()
    else:
        # The rate limit's check, before the request has read anything: a short read,
        # ended at once, so that the request's own transaction begins as it would have
        # (on SQLite, with the write lock only where it writes; see database.read_first).
        # Never a second connection: requests holding one while waiting for another
        # would drain the pool under a burst.
        reading = database.sqlite_write_intent.set(False)
        try:
            rows = db.session.execute(query).all()
            db.session.commit()
        finally:
            database.sqlite_write_intent.reset(reading)
    by_kind: dict[str, list[str]] = {kind: [] for kind in RuleKind}
    for kind, value in rows:
        by_kind[kind].append(value)
    return Rules(
        allowed=tuple(ipaddress.ip_network(v) for v in by_kind[RuleKind.ALLOW_IP]),
        blocked=tuple(ipaddress.ip_network(v) for v in by_kind[RuleKind.BLOCK_IP]),
        domains=frozenset(by_kind[RuleKind.BLOCK_DOMAIN]),
        emails=frozenset(by_kind[RuleKind.BLOCK_EMAIL]),
    )


def entries(campaign: Campaign) -> list[ListRule]:
    """The campaign's entries and those for every campaign, by kind and value."""
    return list(db.session.scalars(
        select(ListRule)
        .where(or_(ListRule.campaign_id == campaign.id, ListRule.campaign_id.is_(None)))
        .order_by(ListRule.kind, ListRule.campaign_id.is_(None), ListRule.value)
    ))


def add(campaign: Campaign, kind: str, raw_value: str | None, *, organizer: Organizer,
        note: str = "", every_campaign: bool = False) -> ListRule:
    """Put an entry on a list of this campaign, or of every campaign (admins only)."""
    if every_campaign and not organizer.is_admin:
        raise InvalidRule(_("Only administrators can add entries for every campaign."))
    value = clean_value(kind, raw_value)
    scope = None if every_campaign else campaign
    # NULLs are never equal in a unique constraint: entries for every campaign are checked here.
    same_scope = (ListRule.campaign_id.is_(None) if scope is None
                  else ListRule.campaign_id == campaign.id)
    if db.session.scalar(select(ListRule.id).where(
            same_scope, ListRule.kind == kind, ListRule.value == value)) is not None:
        raise DuplicateRule(_("%(value)s is already on this list.", value=value))
    rule = ListRule(campaign_id=scope.id if scope else None, kind=kind, value=value,
                    note=note.strip()[:NOTE_MAX], created_by=organizer.id)
    try:
        with db.session.begin_nested():
            db.session.add(rule)
    except IntegrityError:  # added by someone else a moment ago
        raise DuplicateRule(_("%(value)s is already on this list.", value=value)) from None
    audit.record("list_rule.added", organizer=organizer, campaign=scope, kind=kind,
                 rule_id=rule.id, every_campaign=every_campaign)
    return rule


def rule_of(campaign: Campaign, rule_id: int, organizer: Organizer) -> ListRule | None:
    """An entry this organizer may remove from this campaign's page: its own, or (admins) a
    campaign-wide one."""
    rule = db.session.get(ListRule, rule_id)
    if rule is None or (rule.campaign_id != campaign.id
                        and not (rule.campaign_id is None and organizer.is_admin)):
        return None
    return rule


def remove(campaign: Campaign, rule: ListRule, *, organizer: Organizer) -> None:
    """Take an entry off its list."""
    every_campaign = rule.campaign_id is None
    audit.record("list_rule.removed", organizer=organizer,
                 campaign=None if every_campaign else campaign, kind=rule.kind, rule_id=rule.id,
                 every_campaign=every_campaign)
    db.session.delete(rule)
