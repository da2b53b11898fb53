"""The shipped nginx keeps one cached copy per language, never mixing them (deploy/nginx.conf)."""
from __future__ import annotations

from tests.ops.test_nginx import front


def test_cached_pages_never_mix_languages(app, make_campaign, tmp_path):
    slug = make_campaign()
    with front(app, tmp_path, instances=1) as (nginx, _):
        readers = [("", "Sign the petition"), ("es-MX,es;q=0.9", "Firmar la petición"),
                   ("en-GB,en;q=0.8", "Sign the petition"), ("es", "Firmar la petición"),
                   ("fr-FR, es;q=0.5", "Sign the petition")]  # the first language only
        for _round in range(2):
            for header, words in readers:
                page = nginx.get(f"/c/{slug}", **({"Accept-Language": header} if header else {}))
                assert page.status == 200 and words in page.text, (header, page.headers)
                assert "accept-language" in page.headers.get("vary", "").lower()
        again = nginx.get(f"/c/{slug}", Accept_Language="es-ES")
        assert again.headers["x-cache-status"] == "HIT" and "Firmar la petición" in again.text
        explicit = nginx.get(f"/c/{slug}?lang=en", Accept_Language="es")
        assert "Sign the petition" in explicit.text
