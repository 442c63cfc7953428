"""The query page and an encounter page in a real browser (Debian's Chromium, driven by
Selenium through chromedriver) against a live server process on 127.0.0.1.

CI installs the browser (`apt-get install -y chromium chromium-driver`) and sets
AENC_BROWSER_TESTS=1: then a missing browser FAILS these tests. Without that variable they are
skipped, with the reason, when no browser is installed. Screenshots go to AENC_SCREENSHOT_DIR
when it is set (else to pytest's tmp folder).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from webdata import ENC, ROOT, fixture_nquads

pytestmark = pytest.mark.live

CHROMIUM = os.environ.get("AENC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AENC_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver  (and pip install selenium)"
WAIT = 15  # seconds for any one thing to appear in the page


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() and os.access(path, os.X_OK)) and not shutil.which(path):
            return f"{path} is not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed"
    return None


@pytest.fixture(scope="module")
def browser_ready():
    reason = _missing()
    if reason:
        if os.environ.get("AENC_BROWSER_TESTS") == "1":
            pytest.fail(f"AENC_BROWSER_TESTS=1 but {reason}; install it with: {INSTALL}")
        pytest.skip(f"browser tests need Chromium, chromedriver and selenium: {reason} "
                    f"(install: {INSTALL}; set AENC_BROWSER_TESTS=1 to make this a failure)")


def _serve(folder: Path, *extra: str):
    """Start ``python server.py`` (waitress) on a free port with the fixture data; yield its URL."""
    data = folder / "fixture.nq"
    data.write_text(fixture_nquads(), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "--data", str(data), "--port", "0", "--workers", "0",
         "--rate-limit", "0", "--host", "127.0.0.1", *extra],
        cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url, lines, deadline = None, [], time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        found = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
        if found:
            url = found.group(1)
            break
    if url is None:
        proc.kill()
        pytest.fail("the server did not start:\n" + "".join(lines))
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, browser_ready):
    yield from _serve(tmp_path_factory.mktemp("browser-data"))


@pytest.fixture(scope="module")
def live_server_under_prefix(tmp_path_factory, browser_ready):
    """The same server mounted under /aenc, as behind a proxy (the base_path setting)."""
    for url in _serve(tmp_path_factory.mktemp("browser-data-prefix"), "--base-path", "/aenc"):
        yield url + "/aenc"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(browser_ready, tmp_path_factory, downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(WAIT * 2)
    yield d
    d.quit()


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("AENC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(d, condition, what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(d, WAIT).until(condition)
    except TimeoutException:
        logs = "\n".join(str(entry) for entry in d.get_log("browser"))
        error = d.execute_script("var e = document.getElementById('error'); return e ? e.textContent : ''")
        pytest.fail(f"timed out waiting for {what}; page error box: {error!r}; console:\n{logs}")


def open_query_page(d, url):
    from selenium.webdriver.common.by import By

    d.get_log("browser")  # start with an empty console log
    d.get(url + "/query")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#examples button"), "the named queries to load")
    return d.find_element(By.ID, "query")


def type_query(d, text: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    editor = d.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(text)
    return editor


def table(d) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in d.find_elements(By.CSS_SELECTOR, "#results tbody tr")]


def severe_console_errors(d) -> list[str]:
    return [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]


def store_rows(sparql: str, bindings=None) -> list[dict]:
    from graph.store import Store

    store = Store.from_nquads(fixture_nquads())
    try:
        return store.query(sparql, bindings=bindings).rows()
    finally:
        store.close()


LABELS_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX aenc: <https://w3id.org/aenc/ont/>
SELECT ?e ?label WHERE {
  ?e a aenc:Encounter ; rdfs:label ?label .
}
ORDER BY ?label"""


def test_typed_query_runs_with_ctrl_enter_and_shows_rows(driver, live_server, screenshots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_query_page(driver, live_server)
    editor = type_query(driver, LABELS_QUERY)
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    wait(driver, lambda d: "row" in d.find_element(By.ID, "status").text, "the query to answer")
    expected = [r["label"] for r in store_rows(LABELS_QUERY)]
    assert expected, "the fixture has labelled encounters"
    rows = table(driver)
    assert [r[1] for r in rows] == [f"{label}@en" for label in expected]  # the tag is a styled span
    assert driver.find_element(By.ID, "status").text.startswith(f"{len(expected)} rows")
    link = driver.find_element(By.CSS_SELECTOR, "#results tbody a")
    assert link.get_attribute("href").startswith(live_server + "/id/encounter/")
    gutter = driver.find_element(By.ID, "gutter").text.split()
    assert gutter == [str(i) for i in range(1, LABELS_QUERY.count("\n") + 2)]
    driver.save_screenshot(str(screenshots / "query-page.png"))
    assert not severe_console_errors(driver)


def test_syntax_error_is_shown_with_its_line(driver, live_server):
    from selenium.webdriver.common.by import By

    open_query_page(driver, live_server)
    type_query(driver, "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(\n}")
    driver.find_element(By.ID, "run").click()
    box = wait(driver, lambda d: d.find_element(By.ID, "error") if d.find_element(By.ID, "error").is_displayed()
               else None, "the error box")
    assert box.text.startswith("400 Bad request")
    found = re.search(r"line (\d+), column (\d+)", box.text)
    assert found, box.text
    marked = driver.find_element(By.CSS_SELECTOR, "#gutter .error-line").text
    assert marked == found.group(1)
    assert not driver.find_element(By.ID, "results-section").is_displayed()


def test_named_query_with_a_typed_parameter(driver, live_server):
    from selenium.webdriver.common.by import By

    from graph.queries import list_queries

    with_iri_param = [q for q in list_queries() if [p.type for p in q.parameters] == ["iri"]
                      and q.parameters[0].default]
    assert with_iri_param, "the catalogue has a query with one IRI parameter and a default"
    named = with_iri_param[0]
    open_query_page(driver, live_server)
    titles = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#examples button")]
    assert titles == [q.title for q in list_queries()]
    driver.find_element(By.CSS_SELECTOR, f'#examples button[data-name="{named.name}"]').click()
    assert driver.find_element(By.ID, "query").get_attribute("value") == named.text
    field = driver.find_element(By.ID, f"param-{named.parameters[0].name}")
    assert field.get_attribute("value") == named.parameters[0].default
    driver.find_element(By.ID, "run").click()
    status = wait(driver, lambda d: d.find_element(By.ID, "status").text if "row" in d.find_element(By.ID, "status").text
                  else None, f"named query {named.name} to answer")
    expected = store_rows(named.text, named.bind({}))
    assert status.startswith(f"{len(expected)} row")
    assert "?named=" + named.name in driver.current_url


def test_construct_shows_turtle_and_graph_downloads(driver, live_server):
    from selenium.webdriver.common.by import By

    open_query_page(driver, live_server)
    type_query(driver, f"CONSTRUCT {{ <{ENC}> ?p ?o }} WHERE {{ <{ENC}> ?p ?o }}")
    driver.find_element(By.ID, "run").click()
    pre = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#results pre.graph-result"), "the Turtle result")
    assert "bering-sea" in pre[0].text
    formats = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#downloads button")]
    assert formats == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]


def test_download_saves_what_the_endpoint_answers(driver, live_server, downloads):
    from selenium.webdriver.common.by import By

    open_query_page(driver, live_server)
    type_query(driver, LABELS_QUERY)
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#downloads button"), "the download buttons")
    assert [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#downloads button")] == ["JSON", "XML", "CSV", "TSV"]
    driver.find_element(By.CSS_SELECTOR, '#downloads button[data-media-type="text/csv"]').click()
    target = downloads / "aenc-results.csv"
    deadline = time.monotonic() + WAIT
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.is_file(), f"no download in {downloads}: {list(downloads.iterdir())}"
    request = urllib.request.Request(live_server + "/sparql", data=urllib.parse.urlencode({"query": LABELS_QUERY}).encode(),
                                     headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        assert target.read_bytes() == response.read()


def test_encounter_page_shows_participants_and_claims(driver, live_server, screenshots):
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # start with an empty console log
    driver.get(live_server + "/id/" + ENC.split("/id/", 1)[1])
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert heading == "Russian-Chinese bomber patrol intercepted near Alaska"
    participants = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=participants-h] tbody tr")
    assert len(participants) == 4
    assert "Lloyd Austin" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=claims-h]").text
    css_loaded = driver.execute_script(
        "return getComputedStyle(document.querySelector('header.site')).backgroundColor")
    assert css_loaded == "rgb(28, 36, 48)", "the stylesheet was served and applied"
    driver.set_window_size(1280, 2600)
    driver.save_screenshot(str(screenshots / "encounter-page.png"))
    driver.set_window_size(1400, 1000)
    assert not severe_console_errors(driver)


def test_query_page_loads_nothing_from_other_hosts(driver, live_server):
    driver.get(live_server + "/query")
    hosts = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return new URL(e.name).host; })")
    assert set(hosts) <= {live_server.split("//", 1)[1]}, hosts
    data = json.loads(urllib.request.urlopen(live_server + "/queries", timeout=WAIT).read())
    assert data["queries"], "the page's examples come from /queries"


def test_everything_works_under_a_base_path(driver, live_server_under_prefix):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_query_page(driver, live_server_under_prefix)
    editor = type_query(driver, LABELS_QUERY)
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    wait(driver, lambda d: "row" in d.find_element(By.ID, "status").text, "the query to answer under /aenc")
    link = driver.find_element(By.CSS_SELECTOR, "#results tbody a")
    assert link.get_attribute("href").startswith(live_server_under_prefix + "/id/")
    link.click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=participants-h]"),
         "the encounter page behind the result link")
    hrefs = driver.execute_script("return Array.from(document.querySelectorAll('a[href], link[href], script[src]'))"
                                  ".map(function (e) { return e.getAttribute('href') || e.getAttribute('src'); })")
    local = [h for h in hrefs if h.startswith("/")]
    assert local and all(h.startswith("/aenc/") for h in local), [h for h in local if not h.startswith("/aenc/")]
    assert not severe_console_errors(driver)
