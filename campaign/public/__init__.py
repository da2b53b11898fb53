"""What a visitor sees: the campaign pages, signing, the embed, public data, signer controls."""
