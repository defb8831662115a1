"""HTML pages from the templates in present/templates/report: the Jinja2 environment, the allow-list
sanitiser and the page frame around a body.

Jinja2 autoescapes every value. The rendered body is also passed through a bleach allow-list as a
second defence: the templates are ours, but the data (free text, labels from a codebook someone
edited) are not, and an allow-list catches a template or filter that forgets to escape.

Light at import (jinja2 and bleach load on first use): the runner imports the index page's module on
its no-op path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Allow-list for the pages' HTML (a second line of defence after Jinja2's autoescaping).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "header", "i", "img", "li", "main", "nav", "ol", "p", "pre",
    "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment of the report's templates: autoescape on, undefined names are errors."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # noqa: PLC0415 - not on the runner's no-op path

    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR / "report")), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "lang") or name.startswith("data-"):
        return True
    if tag == "a" and name == "href":
        return value.startswith("#") or (not _SCHEME.match(value) and not value.startswith("//"))
    if tag == "img":
        return value.startswith("data:image/png;base64,") if name == "src" else name in ("alt", "width", "height")
    return tag in ("th", "td") and name in ("scope", "colspan", "rowspan")


def clean_html(text: Any) -> str:
    """Sanitise HTML: only ALLOWED_TAGS, no scripts, event handlers or remote URLs (bleach)."""
    import bleach  # noqa: PLC0415 - not on the runner's no-op path

    text = text.decode() if isinstance(text, bytes) else str(text)
    # bleach keeps a relative link only when "http" is an allowed protocol; _allowed_attribute still
    # refuses every absolute or protocol-relative URL.
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes=_allowed_attribute,
                        protocols={"data", "http", "https"}, strip=False, strip_comments=True)


def page(template: str, *, lang: str, title: str, css: str, **ctx: Any) -> str:
    """Render `template` as a page body, pass it through the allow-list, wrap it in page.html.j2."""
    env = environment()
    body = clean_html(env.get_template(template).render(lang=lang, title=title, **ctx))
    return env.get_template("page.html.j2").render(lang=lang, title=title, css=Markup(css), body=Markup(body))
