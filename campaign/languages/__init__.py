"""Languages: which language a page or an email speaks, the interface's catalogs, and campaigns written in several languages."""
