"""Organizer accounts: who they are, their passwords and sessions, which campaigns each may see."""
