"""Counts: the public tallies, counts per representative, the dashboard's figures and charts."""
