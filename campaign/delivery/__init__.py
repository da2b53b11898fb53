"""Delivery: signer exports, and the packets of constituents' signatures for each office."""
