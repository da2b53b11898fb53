"""Counts: the public tallies, the goal ladder, the count's history by hour, counts per representative, the dashboard's figures and charts."""
