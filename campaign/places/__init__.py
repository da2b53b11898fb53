"""Places: countries, regions, towns, and postcodes' districts, with redistricting."""
