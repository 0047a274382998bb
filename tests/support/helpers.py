"""Page checks in the style of notifications-admin: every page, the same basic promises."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from html.parser import HTMLParser

from app.budgets import HTML_BUDGET  # compressed HTML of a citizen page (docs/DESIGN.md)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.title = ""
        self._in_title = False
        self.h1 = 0
        self.ids: list[str] = []
        self.forms: list[dict] = []
        self.inputs: list[dict] = []
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.inline_styles = 0
        self.imgs = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self.h1 += 1
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a:
            self.inline_styles += 1
        if tag == "form":
            self.forms.append(a)
        if tag in ("input", "select", "textarea"):
            self.inputs.append({"tag": tag, **a})
        if tag == "script":
            self.scripts.append(a)
        if tag == "link":
            self.links.append(a)
        if tag == "img":
            self.imgs += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


def check_page(response, lang: str = "vi", citizen: bool = True) -> _PageParser:
    """A 200 that passes :func:`check_html`. Prefer the ``pages`` fixture, which runs the same
    checks on every HTML page a test requests."""
    assert response.status_code == 200, response.status_code
    return check_html(response, lang=lang, citizen=citizen)


def check_html(response, lang: str = "vi", citizen: bool = True,
               fragment: bool = False) -> _PageParser:
    """Title, lang, exactly one h1, every form has an action, no duplicate ids, no inline
    style; for citizen pages also: compressed size within budget, no raster image, no
    third-party request. A ``fragment`` (htmx) has no html element, title or h1: only the rest
    is checked."""
    html = response.get_data(as_text=True)
    page = parse_page(html)
    if not fragment:
        assert page.html_lang == lang, f"<html lang={page.html_lang!r}>, expected {lang!r}"
        assert page.title.strip(), "page has no title"
        assert page.h1 == 1, f"expected one h1, found {page.h1}"
    for form in page.forms:
        assert form.get("action"), f"form without action: {form}"
    dupes = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    assert page.inline_styles == 0, "inline style attributes are blocked by the CSP"
    if citizen:
        size = len(gzip.compress(response.get_data(), 9))
        assert size <= HTML_BUDGET, f"{size} bytes gzipped > {HTML_BUDGET}"
        assert page.imgs == 0, "citizen pages carry no raster image"
        for tag in page.scripts + page.links:
            url = tag.get("src") or tag.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), f"third-party request: {url}"
    return page


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def closed_port() -> int:
    """A local TCP port where nothing listens (bound, then released): a dead database or
    Redis for the outage tests."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
