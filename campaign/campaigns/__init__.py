"""Campaigns: storing and editing them, importing articles into them and drafting their ask, what to review before opening, their cards and previews."""
