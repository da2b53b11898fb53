"""Campaigns: storing and editing them, importing articles into them, their cards and previews."""
