"""Share links for a campaign, and mailto links that carry a letter."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask_babel import gettext


@dataclass(frozen=True)
class ShareLink:
    channel: str
    label: str
    url: str


def tagged(page_url: str, channel: str) -> str:
    """The campaign's address with the channel that carried it, so signers can be attributed."""
    separator = "&" if "?" in page_url else "?"
    return f"{page_url}{separator}{urlencode({'ref': channel})}"


def share_links(page_url: str, message: str, hashtags: list[str], title: str) -> list[ShareLink]:
    """One plain link per network: each works without JavaScript."""
    tags = " ".join(f"#{tag}" for tag in hashtags)
    text_with_tags = f"{message} {tags}".strip()

    def url(channel: str) -> str:
        return tagged(page_url, channel)

    return [
        ShareLink("x", "X", "https://twitter.com/intent/tweet?" + urlencode(
            {"text": message, "url": url("x"), "hashtags": ",".join(hashtags)})),
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode(
            {"u": url("facebook")})),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode(
            {"text": f"{text_with_tags} {url('whatsapp')}"})),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + urlencode(
            {"url": url("telegram"), "text": text_with_tags})),
        ShareLink("bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode(
            {"text": f"{text_with_tags} {url('bluesky')}"})),
        ShareLink("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode(
            {"url": url("linkedin")})),
        ShareLink("reddit", "Reddit", "https://www.reddit.com/submit?" + urlencode(
            {"url": url("reddit"), "title": title})),
        ShareLink("email", gettext("Email"), mailto("", subject=title, body=f"{text_with_tags}\n\n{url('email')}")),
    ]


def mailto(address: str, *, subject: str, body: str) -> str:
    """A mailto: link with subject and body; spaces as %20, since mail apps do not read '+'."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in
                     (("subject", subject), ("body", body)) if value)
    return f"mailto:{quote(address, safe='@,')}" + (f"?{query}" if query else "")


def tel(phone: str) -> str:
    """A tel: link for a phone number as printed: digits and a leading +."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}" if digits else ""
