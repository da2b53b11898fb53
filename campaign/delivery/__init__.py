"""Delivery: signer exports, the packets of constituents' signatures for each office, and each office's delivery and answer."""
