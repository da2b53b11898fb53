"""The rules for what a signer types, as tables of accepted and refused values."""
import pytest

from campaign.signing.signer_input import (
    InvalidInput,
    clean_comment,
    clean_country,
    clean_email,
    clean_name,
    clean_postcode,
    duplicate_key,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Ada   Lovelace  ", "Ada Lovelace"),
        ("Ada\u00a0\u00a0Lovelace", "Ada Lovelace"),  # no-break spaces collapse too
        ("Zoe\u0308 Smith", "Zoë Smith"),  # NFC
        ("José Ñúñez", "José Ñúñez"),
        ("李小龍", "李小龍"),
        ("محمد علي", "محمد علي"),
        ("क्\u200dष", "क्\u200dष"),  # zero-width joiner is part of the script
        ("Mi\u200cchal", "Mi\u200cchal"),  # ZWNJ allowed
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
        ("Louis 14", "Louis 14"),
        ("7", "7"),
        ("x" * 255, "x" * 255),
        ("Ana\u0301", "Aná"),  # a combining mark after its letter composes
        ("Nguye\u0302\u0303n", "Nguyễn"),  # stacked marks on a letter stay
        ("Bo \u05e9\u05b8\u05c1", "Bo \u05e9\u05b8\u05c1"),  # Hebrew points on their letter
        ("Zoë", "Zoë"),
    ],
)
def test_name_accepted(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "x" * 256,
        "Ada\tLovelace",
        "Ada\nLovelace",
        "Ada\rLovelace",
        "Ada\x7fLovelace",
        "Ada\x00",
        "Ada\x85Lovelace",  # C1 control
        "Ada\u202eecalevoL",  # right-to-left override
        "Ada\u2066x\u2069",  # bidi isolate
        "Ada\u200bLovelace",  # zero-width space
        "Ada\ufeffLovelace",  # byte-order mark
        "Ada\ufffdLovelace",  # replacement character
        "Ada\u2028Lovelace",  # line separator
        "Ada\ue000",  # private use
        "Ada\x07",  # bell (C0)
        "\x85Ada",  # next line (C1), which str.strip() would remove unseen
        "\u0301Ana",  # a combining mark with no letter to sit on
        "\u0301",
        "Ana \u0301Bo",  # nor after a space
        "\u20ddAna",  # enclosing mark
        "Ana\u2067x",  # right-to-left isolate
        "Ana\u202dx",  # left-to-right override
        "...",
        "-- !!",
        "=HYPERLINK(\"x\")",
        "+1 555",
        "-Ada",
        "@Ada",
        "  =1+1",
        "Ada https://spam.example",
        "Visit www.spam.net now",
        "Ada spam.com",
        "ftp://x",
        "mailto:a@b",
    ],
)
def test_name_refused(raw):
    with pytest.raises(InvalidInput):
        clean_name(raw)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ada@example.org", "ada@example.org"),
        ("  ada@example.org  ", "ada@example.org"),
        ("Ada@Example.ORG", "Ada@example.org"),
        ("josé@bücher.de", "josé@bücher.de"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("ada+petitions@example.org", "ada+petitions@example.org"),
    ],
)
def test_email_accepted(raw, clean):
    assert clean_email(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "ada",
        "ada@",
        "@example.org",
        "ada@example",
        "ada@@example.org",
        "ada..l@example.org",
        '"ada lovelace"@example.org',
        "ada@[192.0.2.1]",
        "Ada <ada@example.org>",
        "ada@exa\nmple.org",
        "ada @example.org",
        "ada@exa mple.org",
        "ada@localhost",
        "ada@host.invalid",
        "a" * 65 + "@example.org",
        "ada@" + "a" * 250 + ".org",
    ],
)
def test_email_refused(raw):
    with pytest.raises(InvalidInput):
        clean_email(raw)


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Ada@Example.org", "ada@example.org"),
        ("ada+news@example.org", "ada@example.org"),
        ("ada+a+b@example.org", "ada@example.org"),
        ("a.d.a@example.org", "a.d.a@example.org"),  # dots matter outside Gmail
        ("A.d.A+x@gmail.com", "ada@gmail.com"),
        ("ada@googlemail.com", "ada@gmail.com"),
        ("a.da@GoogleMail.com", "ada@gmail.com"),
        ("josé@bücher.de", "josé@xn--bcher-kva.de"),
        ("JOSÉ@bücher.de", "josé@xn--bcher-kva.de"),
        ("Zoe\u0308@example.org", "zoë@example.org"),
        ("+tag@example.org", "+tag@example.org"),  # a local part that is only a tag stays
    ],
)
def test_duplicate_key(email, key):
    assert duplicate_key(email) == key


@pytest.mark.parametrize(
    ("raw", "country", "clean"),
    [
        ("02139", "US", "02139"),
        (" 02139 ", "US", "02139"),
        ("021391234", "US", "02139-1234"),
        ("02139-1234", "US", "02139-1234"),
        ("02139 1234", "US", "02139-1234"),
        ("SW1A 1AA", "GB", "SW1A 1AA"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("  sw1a   1aa ", "GB", "SW1A 1AA"),
        ("M1 1AE", "GB", "M1 1AE"),
        ("B33 8TH", "GB", "B33 8TH"),
        ("CR2 6XH", "GB", "CR2 6XH"),
        ("DN55 1PT", "GB", "DN55 1PT"),
        ("W1A 0AX", "GB", "W1A 0AX"),
        ("SW1A-1AA", "GB", "SW1A 1AA"),  # a hyphen for the space: the same postcode
        ("sw1a-1aa", "GB", "SW1A 1AA"),
        ("SW1A - 1AA", "GB", "SW1A 1AA"),
        ("M1-1AE", "GB", "M1 1AE"),
        ("55401-1234", "US", "55401-1234"),  # ZIP+4 keeps its hyphen
        ("", "FR", ""),
        ("75001", "FR", "75001"),
        ("k1a 0b1", "CA", "K1A 0B1"),
        ("1010-AB", "NL", "1010-AB"),
        ("ABCDEFGHIJKLMNOP", "DE", "ABCDEFGHIJKLMNOP"),
    ],
)
def test_postcode_accepted(raw, country, clean):
    assert clean_postcode(raw, country) == clean


@pytest.mark.parametrize(
    ("raw", "country"),
    [
        ("", "US"),
        ("1234", "US"),
        ("123456", "US"),
        ("02139-12", "US"),
        ("ABCDE", "US"),
        ("０２１３９", "US"),  # full-width digits
        ("", "GB"),
        ("SW1A", "GB"),
        ("12345", "GB"),
        ("SW1A 1AAA", "GB"),
        ("1AA SW1", "GB"),
        ("SW-1A1AA", "GB"),  # a hyphen only where the space goes
        ("SW1A--1AA", "GB"),
        ("SW1A1AA-", "GB"),
        ("-SW1A1AA", "GB"),
        ("55401--1234", "US"),
        ("ABCDEFGHIJKLMNOPQ", "DE"),  # 17 characters
        ("75001;DROP", "FR"),
        ("750<01>", "FR"),
        ("75\x0001", "FR"),
        ("ÄÖÜ12", "DE"),
        ("-", "FR"),
    ],
)
def test_postcode_refused(raw, country):
    with pytest.raises(InvalidInput):
        clean_postcode(raw, country)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("us", "US"), ("US", "US"), (" gb ", "GB"), ("fr", "FR"), (None, "US")],
)
def test_country_accepted(raw, clean):
    assert clean_country(raw, default="US") == clean


@pytest.mark.parametrize("raw", [
    "UK", "uk", "XX", "ZZ", "EU", "USA", "U", "1A", "XK", "\x00\x00",
    # Sent but empty: the list has no empty choice, so it is no choice (None is "not sent").
    "", "  ",
    # Control characters, even those str.strip() would silently take away.
    "US\x1f", "\x1cUS", "US\x85", "\tUS", "US\n", "U\x07S", "\u202eSU",
    "ß",  # "ß".upper() is "SS", South Sudan
])
def test_country_refused(raw):
    with pytest.raises(InvalidInput):
        clean_country(raw, default="US")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("", ""),
        (None, ""),
        ("  Thank you  ", "Thank you"),
        ("Line one\r\nLine two", "Line one\nLine two"),
        ("Col\tumn", "Col\tumn"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # stored as text, escaped on display
        ("x" * 1000, "x" * 1000),
    ],
)
def test_comment_accepted(raw, clean):
    assert clean_comment(raw) == clean


@pytest.mark.parametrize("raw", ["x" * 1001, "bad\x00byte", "bell\x07", "hidden\u202eflip", "\ufffd"])
def test_comment_refused(raw):
    with pytest.raises(InvalidInput):
        clean_comment(raw)
