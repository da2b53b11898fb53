"""Configuration classes; the only module that reads the environment."""
import os
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment; the safe choice where there is one."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'campaign.sqlite'}")
    # pre_ping: a connection the server dropped (a restart) is replaced before use.
    # hide_parameters: error messages, and so logs, never carry a signer's values.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True, "hide_parameters": True}
    # Bring the schema up to date and load the sample campaign when the app starts.
    AUTO_UPGRADE = _flag("AUTO_UPGRADE", True)
    LOAD_SAMPLE = _flag("LOAD_SAMPLE", True)
    # Public URL used in emails written outside a request (worker, commands).
    # Unset in development: links then follow the address the visitor used.
    BASE_URL = _env("BASE_URL")

    # The sign form is small: anything bigger is not a signature.
    MAX_CONTENT_LENGTH = 64 * 1024
    ORGANIZER_MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)

    MAIL_BACKEND = _env("MAIL_BACKEND", "console")  # console | file | smtp
    MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(INSTANCE / "mail"))
    MAIL_FROM = _env("MAIL_FROM", "Campaign <campaign@localhost>")
    SMTP_HOST = _env("SMTP_HOST", "localhost")
    SMTP_PORT = int(_env("SMTP_PORT", "25"))
    SMTP_USER = _env("SMTP_USER")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_TLS = _env("SMTP_TLS", "none")  # none | starttls | ssl
    SMTP_TIMEOUT = float(_env("SMTP_TIMEOUT", "10"))
    # With SMTP_TLS the server's certificate and name are always checked: against the system's
    # CAs, or against this PEM file only (a relay with a certificate from a private CA).
    SMTP_CA_FILE = _env("SMTP_CA_FILE")
    # In the embedded default a thread in the web process delivers the outbox;
    # in production a separate `flask outbox work` process does.
    OUTBOX_EMBEDDED_WORKER = _flag("OUTBOX_EMBEDDED_WORKER", True)
    OUTBOX_POLL_SECONDS = float(_env("OUTBOX_POLL_SECONDS", "5"))
    OUTBOX_MAX_ATTEMPTS = int(_env("OUTBOX_MAX_ATTEMPTS", "12"))
    # Update emails to signers written to the outbox per hour, across every campaign: kept
    # under what the mail provider allows, so a big send never gets the sender blocked.
    UPDATE_EMAILS_PER_HOUR = int(_env("UPDATE_EMAILS_PER_HOUR", "1000"))
    # Webhooks: sent by a thread of the web process in the embedded default, in production by
    # `flask webhooks work`. Each POST must end within WEBHOOK_TIMEOUT_SECONDS; a delivery is
    # retried (1, 2, 4... minutes, then hourly) for WEBHOOK_RETRY_HOURS; a hook is disabled
    # after WEBHOOK_DISABLE_AFTER failed attempts in a row spanning WEBHOOK_RETRY_HOURS.
    WEBHOOK_EMBEDDED_WORKER = _flag("WEBHOOK_EMBEDDED_WORKER", True)
    WEBHOOK_POLL_SECONDS = float(_env("WEBHOOK_POLL_SECONDS", "5"))
    WEBHOOK_TIMEOUT_SECONDS = float(_env("WEBHOOK_TIMEOUT_SECONDS", "10"))
    WEBHOOK_RETRY_HOURS = int(_env("WEBHOOK_RETRY_HOURS", "24"))
    WEBHOOK_DISABLE_AFTER = int(_env("WEBHOOK_DISABLE_AFTER", "20"))
    # A PEM file of CAs to trust for receivers instead of the system's (a private CA).
    WEBHOOK_CA_FILE = _env("WEBHOOK_CA_FILE")
    # For tests only: plain http:// endpoints, and private or loopback addresses (SSRF).
    WEBHOOK_ALLOW_HTTP = _flag("WEBHOOK_ALLOW_HTTP", False)
    WEBHOOK_ALLOW_PRIVATE = _flag("WEBHOOK_ALLOW_PRIVATE", False)

    # DNS lookups on the sign request would make signing as slow as the slowest resolver.
    EMAIL_CHECK_DELIVERABILITY = _flag("EMAIL_CHECK_DELIVERABILITY", False)
    CONFIRM_TOKEN_DAYS = int(_env("CONFIRM_TOKEN_DAYS", "14"))
    EMAILS_PER_ADDRESS_PER_DAY = 3
    # A pending signer who signs again within this many minutes of their last confirmation
    # email (a double click, a form sent twice) gets no new one; later, the link again.
    CONFIRMATION_RESEND_MINUTES = int(_env("CONFIRMATION_RESEND_MINUTES", "5"))
    # "Not you? Remove this signature" links in signers' emails, and "delete all my data" links.
    REMOVAL_LINK_DAYS = int(_env("REMOVAL_LINK_DAYS", "365"))
    DATA_REQUEST_LINK_HOURS = int(_env("DATA_REQUEST_LINK_HOURS", "48"))
    # An event host's private page (/host/<token>) works until this many days after the event
    # ends; a host may message the attendees who allowed it this many times per event and day.
    HOST_LINK_DAYS_AFTER_END = int(_env("HOST_LINK_DAYS_AFTER_END", "7"))
    HOST_MESSAGES_PER_DAY = int(_env("HOST_MESSAGES_PER_DAY", "3"))
    # `flask purge` anonymizes campaigns closed this many days ago (and deletes stale pending
    # signatures after PURGE_PENDING_DAYS).
    PURGE_AFTER_DAYS = int(_env("PURGE_AFTER_DAYS", "180"))
    PURGE_PENDING_DAYS = int(_env("PURGE_PENDING_DAYS", "30"))
    # How many reverse proxies stand in front of the app (0: none). Their X-Forwarded-For and
    # X-Forwarded-Proto are trusted only then; otherwise anyone could pose as any address.
    PROXY_FIX_HOPS = int(_env("PROXY_FIX_HOPS", "0"))
    # Take each request's id from the proxy's X-Request-ID (only when the proxy always sets
    # it, e.g. nginx `proxy_set_header X-Request-ID $request_id;`); else the app makes one.
    REQUEST_ID_FROM_PROXY = _flag("REQUEST_ID_FROM_PROXY", False)
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # /healthz reports "degraded" when the oldest unsent email has waited longer than this.
    HEALTH_MAIL_DELAY_MINUTES = float(_env("HEALTH_MAIL_DELAY_MINUTES", "30"))
    # Organizer sessions end after this long without a request (each request restarts it);
    # the next organizer page then asks to log in again.
    ORGANIZER_IDLE_MINUTES = int(_env("ORGANIZER_IDLE_MINUTES", "30"))
    # Failed logins from one address before it gets 429 (the per-account lock is separate).
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "20 per 15 minutes")
    # Signatures and confirmations one address may send to one campaign (allow-listed
    # addresses are exempt); more get 429 with Retry-After and are never counted.
    SIGN_RATE_LIMIT = _env("SIGN_RATE_LIMIT", "10 per 10 minutes")
    CONFIRM_RATE_LIMIT = _env("CONFIRM_RATE_LIMIT", "30 per 10 minutes")
    # Forms that send an email to the address typed in (a new confirmation link, a deletion
    # link): each address's emails are capped a day already, these cap one sender's tries.
    EMAIL_REQUEST_RATE_LIMIT = _env("EMAIL_REQUEST_RATE_LIMIT", "10 per 10 minutes")
    # "I contacted them" buttons: a visitor may press a few per representative and channel.
    OUTREACH_RATE_LIMIT = _env("OUTREACH_RATE_LIMIT", "60 per 10 minutes")
    # Requests one API key may make (counted by the key's hash); more get a 429 problem.
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "600 per minute")
    # Flask-Limiter: memory:// counts per process; with several workers the counts must be
    # shared, in Redis: REDIS_URL=redis://127.0.0.1:6379/0 (RATELIMIT_STORAGE_URI wins if set).
    REDIS_URL = _env("REDIS_URL")
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Keeps these counts apart from anything else stored in the same Redis.
    RATELIMIT_KEY_PREFIX = _env("RATELIMIT_KEY_PREFIX", "campaign")
    RATELIMIT_STRATEGY = "moving-window"
    # If the shared store is down, count in memory rather than fail every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Limits are counted after the answer (only answers count, never our 5xx): a store that
    # fails then is logged, and must not turn a signature already stored into a 500.
    RATELIMIT_SWALLOW_ERRORS = True
    # The abuse watch on a campaign's overview: per hour over the last ABUSE_WATCH_HOURS, an
    # address, network or email domain is unusual with at least ABUSE_WATCH_MIN_SIGNATURES
    # and ABUSE_WATCH_FACTOR times the median per source of that hour. The big mail
    # providers are always many: their floods show by address and network instead.
    ABUSE_WATCH_HOURS = int(_env("ABUSE_WATCH_HOURS", "48"))
    ABUSE_WATCH_MIN_SIGNATURES = int(_env("ABUSE_WATCH_MIN_SIGNATURES", "5"))
    ABUSE_WATCH_FACTOR = float(_env("ABUSE_WATCH_FACTOR", "10"))
    ABUSE_WATCH_COMMON_DOMAINS = _env(
        "ABUSE_WATCH_COMMON_DOMAINS",
        "gmail.com yahoo.com outlook.com hotmail.com live.com icloud.com aol.com proton.me "
        "protonmail.com gmx.de gmx.net web.de yahoo.co.uk btinternet.com comcast.net",
    ).split()
    # Social preview images, shared on disk by the web processes.
    CARD_CACHE_DIR = _env("CARD_CACHE_DIR", str(INSTANCE / "cards"))
    # How stale the public count may be; counting is an aggregate query, cached.
    # Fonts for characters the packets' own font (DejaVu Sans) lacks, tried in order; files
    # that do not exist are skipped. The defaults are in Debian's fonts-droid-fallback (Chinese,
    # Japanese kana and kanji), fonts-nanum (Korean) and fonts-noto-core (Indic scripts, Thai...).
    PACKET_FALLBACK_FONTS = _env("PACKET_FALLBACK_FONTS", " ".join(
        f"/usr/share/fonts/truetype/{name}.ttf" for name in (
            "droid/DroidSansFallbackFull", "nanum/NanumGothic", "noto/NotoSansDevanagari-Regular",
            "noto/NotoSansBengali-Regular", "noto/NotoSansGurmukhi-Regular",
            "noto/NotoSansGujarati-Regular", "noto/NotoSansTamil-Regular",
            "noto/NotoSansTelugu-Regular", "noto/NotoSansKannada-Regular",
            "noto/NotoSansMalayalam-Regular", "noto/NotoSansSinhala-Regular",
            "noto/NotoSansThai-Regular", "noto/NotoSansLao-Regular",
            "noto/NotoSansKhmer-Regular", "noto/NotoSansMyanmar-Regular",
            "noto/NotoSansEthiopic-Regular")))
    TALLY_CACHE_SECONDS = float(_env("TALLY_CACHE_SECONDS", "3"))
    # How long a shared cache in front (nginx's micro-cache, a CDN) may serve a campaign page
    # without asking again; browsers ask each time and get a 304 while it has not changed.
    PAGE_CACHE_SECONDS = int(_env("PAGE_CACHE_SECONDS", "2"))
    # How long a process reuses a public campaign's row (its own edits drop it at once).
    CAMPAIGN_CACHE_SECONDS = float(_env("CAMPAIGN_CACHE_SECONDS", "2"))
    # How old the organizer's dashboard figures may be: a recount at a million signatures
    # takes about half a second, so it is redone in the background, not while a page waits.
    DASHBOARD_CACHE_SECONDS = float(_env("DASHBOARD_CACHE_SECONDS", "30"))
    # Who may show the embeddable sign form (/c/<slug>/embed) in a frame: CSP frame-ancestors
    # sources separated by spaces, e.g. "https://news.example.org https://*.example.com".
    # "https:" is any HTTPS site; "*" any site, plain HTTP included. This site always may.
    EMBED_ALLOWED_ORIGINS = _env("EMBED_ALLOWED_ORIGINS", "https:")
    # How long a sign form (the page's or the embedded one) may stay open before it must be
    # reloaded to be sent. EMBED_FORM_MINUTES is its older name.
    # The interface's languages, the first being the default.
    LANGUAGES = _env("LANGUAGES", "en es").split()
    # More catalog directories beside the app's own (the tests' right-to-left sample), separated
    # like PATH; each is compiled at start like the app's (campaign/languages/choice.py).
    EXTRA_CATALOGS = tuple(path for path in (_env("EXTRA_CATALOGS") or "").split(os.pathsep) if path)
    SIGN_FORM_MINUTES = int(_env("SIGN_FORM_MINUTES", _env("EMBED_FORM_MINUTES", "120")))


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    AUTO_UPGRADE = False
    LOAD_SAMPLE = False
    OUTBOX_EMBEDDED_WORKER = False
    WEBHOOK_EMBEDDED_WORKER = False
    MAIL_BACKEND = "memory"
    TALLY_CACHE_SECONDS = 0.0
    DASHBOARD_CACHE_SECONDS = 0.0
    BASE_URL = "http://localhost"
    CARD_CACHE_DIR = None
    # Limits stay on in tests, counted afresh for each app; a test lowers LOGIN_RATE_LIMIT.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "20 per 15 minutes"
    # Tests sign many times from one address; the tests of these limits set their own.
    SIGN_RATE_LIMIT = "1000 per minute"
    CONFIRM_RATE_LIMIT = "1000 per minute"
    EMAIL_REQUEST_RATE_LIMIT = "1000 per minute"
    OUTREACH_RATE_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    ENV_NAME = "production"
    # Errors become pages (never a debugger or a stack trace), and are logged once.
    DEBUG = False
    PROPAGATE_EXCEPTIONS = False
    # A request waits at most this long for a free connection, then gets a 503.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "pool_timeout": 10}
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    OUTBOX_EMBEDDED_WORKER = _flag("OUTBOX_EMBEDDED_WORKER", False)
    WEBHOOK_EMBEDDED_WORKER = _flag("WEBHOOK_EMBEDDED_WORKER", False)
    LOAD_SAMPLE = _flag("LOAD_SAMPLE", False)


# The test suite runs once more on this database when it is set (never DATABASE_URL,
# so tests cannot wipe a real database by accident).
TEST_DATABASE_URL = _env("TEST_DATABASE_URL")

CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def select_config() -> type[Config]:
    """The configuration named by CAMPAIGN_ENV (development by default)."""
    name = _env("CAMPAIGN_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CAMPAIGN_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
