"""Abuse limits: per-address rate limits, allow and block lists, the watch for unusual sources."""
