"""Configuration classes; the only module that reads the environment."""
import os
from pathlib import Path

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
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
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
    # In the embedded default a thread in the web process delivers the outbox;
    # in production a separate `flask outbox work` process does.
    OUTBOX_EMBEDDED_WORKER = _flag("OUTBOX_EMBEDDED_WORKER", True)
    OUTBOX_POLL_SECONDS = float(_env("OUTBOX_POLL_SECONDS", "5"))
    OUTBOX_MAX_ATTEMPTS = int(_env("OUTBOX_MAX_ATTEMPTS", "12"))

    # DNS lookups on the sign request would make signing as slow as the slowest resolver.
    EMAIL_CHECK_DELIVERABILITY = _flag("EMAIL_CHECK_DELIVERABILITY", False)
    CONFIRM_TOKEN_DAYS = int(_env("CONFIRM_TOKEN_DAYS", "14"))
    EMAILS_PER_ADDRESS_PER_DAY = 3
    # How many reverse proxies stand in front of the app (0: none). Their X-Forwarded-For and
    # X-Forwarded-Proto are trusted only then; otherwise anyone could pose as any address.
    PROXY_FIX_HOPS = int(_env("PROXY_FIX_HOPS", "0"))
    # Organizer sessions end after this long without a request.
    ORGANIZER_IDLE_MINUTES = int(_env("ORGANIZER_IDLE_MINUTES", "60"))
    # Failed logins from one address before it gets 429 (the per-account lock is separate).
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "20 per 15 minutes")
    # Flask-Limiter: memory:// counts per process; with several workers use a shared store,
    # e.g. redis://127.0.0.1:6379 (needs the redis package).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    # If the shared store is down, count in memory rather than fail every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Social preview images, shared on disk by the web processes.
    CARD_CACHE_DIR = _env("CARD_CACHE_DIR", str(INSTANCE / "cards"))
    # How stale the public count may be; counting is an aggregate query, cached.
    TALLY_CACHE_SECONDS = float(_env("TALLY_CACHE_SECONDS", "3"))


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
    MAIL_BACKEND = "memory"
    TALLY_CACHE_SECONDS = 0.0
    BASE_URL = "http://localhost"
    CARD_CACHE_DIR = None
    # Limits stay on in tests, counted afresh for each app; a test lowers LOGIN_RATE_LIMIT.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "20 per 15 minutes"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    OUTBOX_EMBEDDED_WORKER = _flag("OUTBOX_EMBEDDED_WORKER", False)
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
