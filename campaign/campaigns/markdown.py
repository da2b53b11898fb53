"""Markdown written by organizers, rendered to HTML and cleaned before anyone sees it."""
from __future__ import annotations

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
                "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@cache
def _parser() -> MarkdownIt:
    # Raw HTML in the source is shown as text; the sanitizer below is a second line of defence.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render(text: str | None) -> Markup:
    """Safe HTML for Markdown text: no script, no event attributes, no javascript: links."""
    html = _parser().render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow ugc",
    )
    return Markup(cleaned)


def folded(text: str | None, *, keep: int) -> tuple[str, str]:
    """The first `keep` blocks of Markdown text (split at blank lines), and the rest, if any."""
    blocks = [block for block in re.split(r"\n[ \t]*\n", (text or "").strip()) if block.strip()]
    return "\n\n".join(blocks[:keep]), "\n\n".join(blocks[keep:])
