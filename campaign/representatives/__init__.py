"""Representatives: their data files and imports, who sits for a place, their contact cards."""
