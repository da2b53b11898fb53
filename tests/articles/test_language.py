"""Telling an article's language from its most common words, or saying nothing when unsure."""
import pytest

from campaign.articles import detect_language, read_article
from campaign.articles.language import shares
from tests.helpers import FIXTURES, shared_example

SPANISH_ARTICLE = FIXTURES / "languages" / "es-rio-vertidos.txt"


def _text(path) -> str:
    article = read_article(path.read_text(encoding="utf-8"))
    return "\n\n".join([article.headline, *article.paragraphs, *article.commentary])


def test_the_shared_example_reads_as_english():
    assert detect_language(_text(shared_example())) == "en"


def test_a_spanish_article_reads_as_spanish():
    assert detect_language(_text(SPANISH_ARTICLE)) == "es"


@pytest.mark.parametrize("path", sorted((FIXTURES / "articles").glob("*.txt")), ids=lambda p: p.name)
def test_every_english_fixture_reads_as_english(path):
    assert detect_language(_text(path)) == "en"


@pytest.mark.parametrize("text", [
    "",
    "Hola world",  # too short to tell
    "12 345 678 — !!! ???",
    # Half and half: no clear margin, so no decision.
    ("The council voted on the plan for the river and the town. " * 3)
    + ("El pleno votó el plan del río y del pueblo, con los vecinos de la zona. " * 3),
    # Neither language: German.
    ("Der Stadtrat hat am Freitag beschlossen, die Bibliothek am Sonntag zu schließen. Die Bürger "
     "wollen dagegen protestieren, weil viele Familien dort lernen und lesen und sich treffen."),
])
def test_an_unclear_text_decides_nothing(text):
    assert detect_language(text) is None


def test_shares_count_the_common_words_of_each_language():
    found = shares("the river and the town el río y el pueblo")
    assert found == {"en": pytest.approx(3 / 10), "es": pytest.approx(3 / 10)}
