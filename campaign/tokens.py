"""Secret link tokens: made from a random nonce and the app's key, stored only as hashes."""
import base64
import hashlib
import hmac
import re
import secrets

NONCE_BYTES = 32  # 256 random bits in every token
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def new_nonce() -> str:
    """A fresh random nonce, hex encoded."""
    return secrets.token_hex(NONCE_BYTES)


def token_from_nonce(secret_key: str, nonce: str) -> str:
    """The URL-safe token that a nonce stands for under this secret key."""
    digest = hmac.new(secret_key.encode(), bytes.fromhex(nonce), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Whether value has a token's shape (checked before any look-up)."""
    return bool(_TOKEN_SHAPE.match(value))
