"""Templates render the describe functions' data in a plain Jinja environment (no server):
well-formed HTML, every link under the base path, nothing loaded from another site."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from webdata import ENC, GRAPH_A, REPORT_A, ROOT, fixture_nquads
from graph import describe
from graph.namespaces import ONT

BASE_PATH = "/aenc"
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def env():
    e = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                    undefined=StrictUndefined)
    helpers = describe.template_helpers(base_iri="https://w3id.org/aenc/", base_path=BASE_PATH)
    e.globals.update(helpers["globals"])
    e.filters.update(helpers["filters"])
    return e


class _Page(HTMLParser):
    """Collects links and checks that every element is closed in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        for name in ("href", "src", "action"):
            if a.get(name) is not None:
                self.links.append((tag, name, a[name]))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert not page.problems, "\n".join(page.problems[:10])
    assert not page.stack, f"unclosed elements: {page.stack[-5:]}"
    return page


def text_of(page: _Page) -> str:
    return re.sub(r"\s+", " ", " ".join(page.text))


def check_links(page: _Page) -> None:
    for tag, attr, value in page.links:
        if value.startswith("/"):
            assert value.startswith(BASE_PATH + "/"), f"<{tag} {attr}={value!r}> ignores the base path"
    for tag, attrs in page.tags:
        # what the browser loads by itself (styles, scripts, images) must come from static/
        loaded = (attrs.get("href") if tag == "link" and attrs.get("rel") != "alternate"
                  else attrs.get("src") if tag in ("script", "img", "iframe") else None)
        if loaded is None:
            continue
        assert loaded.startswith(BASE_PATH + "/static/"), f"<{tag}> loads {loaded!r}, which this site does not serve"
        name = loaded[len(BASE_PATH + "/static/"):]
        assert (STATIC / name).is_file(), f"{name} is referenced but not in static/"


def render(env, name, **context) -> _Page:
    html = env.get_template(name).render(**context)
    page = parse(html)
    check_links(page)
    assert ("html", {"lang": "en"}) in page.tags
    assert sum(1 for tag, _ in page.tags if tag == "h1") == 1
    page.html = html
    return page


def test_encounter_page(env, web_store):
    page = render(env, "resource.html", resource=describe.describe_resource(web_store, ENC))
    text = text_of(page)
    assert "Participants" in text
    for label in ("Russia", "China", "United States", "Tu-95MS", "H-6K", "Su-30SM", "F-16", "NORAD"):
        assert label in text, label
    assert "at least 2" in text and "unknown" in text
    assert "Claims, by source" in text
    assert "Russian Ministry of Defence" in text and "Al Mayadeen" in text
    assert "was not considered a threat" in text
    assert "320 km" in text and "200 mi" in text
    assert "within North Pacific › Pacific Ocean" in text
    assert ("a", "href", f"{BASE_PATH}/id/state/russia") in page.links
    assert ("a", "href", f"{BASE_PATH}/id/report/a") in page.links


def test_encounter_page_marks_inferred_types(env, web_store):
    page = render(env, "resource.html", resource=describe.describe_resource(web_store, ENC))
    inferred = [a for tag, a in page.tags if tag == "a" and "inferred" in a.get("class", "")]
    assert {a["href"] for a in inferred} >= {f"{BASE_PATH}/ont/Encounter"}


def test_report_page(env, web_store):
    page = render(env, "resource.html", resource=describe.describe_resource(web_store, REPORT_A))
    text = text_of(page)
    assert "Claims it reports" in text and "Published by" in text
    assert "002_0dfffd97688853d3.txt" in text


def test_generic_page_and_graph_page(env, web_store):
    page = render(env, "resource.html", resource=describe.describe_resource(web_store, "https://w3id.org/aenc/id/state/russia"))
    assert "Россия" in text_of(page)
    page = render(env, "resource.html", resource=describe.describe_resource(web_store, GRAPH_A))
    assert "Named graph" in text_of(page)
    query_links = [v for _, attr, v in page.links if v.startswith(BASE_PATH + "/query?query=")]
    assert query_links, "a graph page links to its triples on the query page"


def test_term_and_ontology_pages(env, web_store):
    page = render(env, "term.html", term=describe.describe_term(web_store, ONT + "hasRole"))
    assert "Property chains" in text_of(page)
    page = render(env, "ontology.html", ontology=describe.describe_ontology(web_store))
    assert ("a", "href", f"{BASE_PATH}/ont/Encounter") in page.links


def test_home_page(env, web_store):
    page = render(env, "home.html", summary=describe.summarize(web_store), endpoint=BASE_PATH + "/sparql",
                  void_url=BASE_PATH + "/void")
    hrefs = {v for _, _, v in page.links}
    for path in ("/query", "/queries", "/sparql", "/dump", "/ont/", "/void"):
        assert BASE_PATH + path in hrefs, path
    assert ("a", "href", f"{BASE_PATH}/id/encounter/2024-07-24-bering-sea") in page.links


def test_query_page_works_offline(env):
    page = render(env, "query.html", endpoint=BASE_PATH + "/sparql", queries_url=BASE_PATH + "/queries")
    tags = dict((t, a) for t, a in page.tags if t in ("textarea", "form", "script"))
    assert tags["textarea"]["id"] == "query"
    assert ("label", {"for": "query", "class": "visually-hidden"}) in page.tags
    assert tags["script"]["src"] == BASE_PATH + "/static/query.js"
    app = next(a for t, a in page.tags if a.get("id") == "query-app")
    assert app["data-endpoint"] == BASE_PATH + "/sparql"
    assert app["data-base-path"] == BASE_PATH
    assert '"aenc": "https://w3id.org/aenc/ont/"' in app["data-prefixes"]


def test_error_page(env):
    page = render(env, "error.html", status=404, title="Not found", message="nothing in the graph is about <x>",
                  hint="check the address")
    assert "nothing in the graph is about <x>" in text_of(page)
    assert "<x>" not in page.html  # escaped


def test_labels_from_the_data_are_escaped(env):
    from graph.store import Store

    evil = '<https://w3id.org/aenc/id/state/evil> <http://www.w3.org/2000/01/rdf-schema#label> ' \
           '"<script>alert(1)</script>"@en <https://w3id.org/aenc/graph/reference> .\n'
    store = Store.from_nquads(fixture_nquads() + evil)
    try:
        page = render(env, "resource.html", resource=describe.describe_resource(store, "https://w3id.org/aenc/id/state/evil"))
    finally:
        store.close()
    assert "<script>alert(1)</script>" not in page.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html


def test_static_assets_fetch_nothing_from_other_sites():
    css = (STATIC / "aenc.css").read_text(encoding="utf-8")
    js = (STATIC / "query.js").read_text(encoding="utf-8")
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css)
    assert not re.search(r"fetch\(\s*['\"]https?:", js)
    assert not re.search(r"import\s*\(|importScripts|new Worker", js)
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html), template.name


def test_home_page_cuts_a_long_list_of_report_graphs(env, web_store, monkeypatch):
    monkeypatch.setattr(describe, "MAX_REPORT_GRAPHS_LISTED", 1)
    page = render(env, "home.html", summary=describe.summarize(web_store), endpoint=BASE_PATH + "/sparql",
                  void_url=BASE_PATH + "/void")
    assert "and 1 more report graphs (2 in all" in text_of(page)
