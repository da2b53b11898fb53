"""Signing: the rules for signer input, signatures, confirmation, removal, moderation, purge."""
