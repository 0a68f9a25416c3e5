"""The built catalog in a real browser (headless Chromium from `file://`): the search filters
as you type, the facets, keyboard navigation, the version switcher and its changelog,
hostile names shown as text, no console error, an axe-core scan, and screenshots at desktop
and phone sizes (into .test-artifacts/docs/)."""

from __future__ import annotations

import pytest
from docs_support import HOSTILE_NAME, hostile_folder

from reflekt.core.escape import display_text


def _open(browser, url: str, size=(1280, 800), dark: bool = False) -> None:
    browser.set_window_size(*size)
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
    )
    browser.get(url)
    browser.get_log("browser")  # start each page with an empty console


def _visible_events(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#events li')]"
        ".filter(li => !li.hidden).map(li => li.querySelector('a').textContent)"
    )


def _console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_search_and_facets_filter_as_you_type(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, (site / "index.html").as_uri())
    assert len(_visible_events(browser)) == 5
    search = browser.find_element(By.ID, "q")
    search.send_keys("coupon")  # a property of Cart Viewed only
    assert _visible_events(browser) == ["Cart Viewed"]
    assert browser.find_element(By.ID, "count").text == "1 of 5 events"
    search.clear()
    search.send_keys("marketing email")  # an owner and a word of the descriptions
    assert _visible_events(browser) == ["Email Clicked", "Email Opened"]
    Select(browser.find_element(By.ID, "facet-status")).select_by_value("deprecated")
    assert _visible_events(browser) == ["Email Opened"]
    search.clear()
    search.send_keys("no such event")
    assert _visible_events(browser) == []
    assert browser.find_element(By.ID, "none").is_displayed()
    browser.find_element(By.ID, "clear").click()
    assert len(_visible_events(browser)) == 5
    Select(browser.find_element(By.ID, "facet-owner")).select_by_value("growth")
    assert _visible_events(browser) == ["Cart Viewed"]
    assert _console_errors(browser) == []


def test_keyboard_reaches_and_opens_an_event(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, (site / "index.html").as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("/")  # focuses the search
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "q"
    active.send_keys("email")
    active.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.text == "Email Clicked"
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.text == "Email Opened"
    browser.switch_to.active_element.send_keys(Keys.ARROW_UP, Keys.ARROW_UP)
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Email Clicked"
    assert browser.current_url.endswith("/events/segment/marketing/Email_Clicked.html")


def _shown_version(browser) -> tuple[str, list[str]]:
    version, lines = browser.execute_script(
        "const s = [...document.querySelectorAll('section.version')].filter(s => !s.hidden);"
        "if (s.length !== 1) return [null, []];"
        "return [s[0].dataset.version,"
        " [...s[0].querySelectorAll('ul.changes li')].map(li => li.textContent)];"
    )
    return version, lines


def test_version_switcher_shows_each_versions_changelog(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = site / "events" / "segment" / "ecommerce" / "Cart_Viewed.html"
    _open(browser, page.as_uri())
    version, lines = _shown_version(browser)
    assert version == "2-0"
    assert "MAJOR PROPERTY_ADDED_REQUIRED currency: required property 'currency' added" in lines
    select = Select(browser.find_element(By.ID, "version-select"))
    select.select_by_value("1-1")
    version, lines = _shown_version(browser)
    assert version == "1-1"
    assert lines == ["MINOR PROPERTY_ADDED_OPTIONAL coupon: optional property 'coupon' added"]
    assert browser.current_url.endswith("#v1-1")
    select.select_by_value("1-0")
    assert _shown_version(browser) == ("1-0", [])
    assert "The first version." in browser.find_element(By.ID, "v1-0").text
    source = browser.find_element(By.CSS_SELECTOR, "#v1-0 details.source summary")
    source.click()  # opening the JSON source highlights it (on the `toggle` event, queued)
    keys = WebDriverWait(browser, 10).until(
        lambda driver: driver.execute_script(
            "return [...document.querySelectorAll('#v1-0 pre.json span.k')].map(s => s.textContent)"
        )
    )
    assert keys[:3] == ['"$schema"', '"$id"', '"description"']
    text = browser.find_element(By.CSS_SELECTOR, "#v1-0 pre.json").text
    assert '"version": "1-0"' in text
    _open(browser, page.as_uri() + "#v1-1")  # a link to one version opens it (hashchange)
    WebDriverWait(browser, 10).until(lambda driver: _shown_version(driver)[0] == "1-1")
    assert _console_errors(browser) == []
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:  # printed, every version shows, the search and switcher do not
        shown = browser.execute_script(
            "return [...document.querySelectorAll('section.version')]"
            ".map(s => getComputedStyle(s).display !== 'none')"
        )
        assert shown == [True, True, True]
        assert not browser.find_element(By.ID, "version-select").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_hostile_names_are_shown_as_text(browser, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    page = site / "events" / "segment" / "hostile" / f"{hostile_folder()}.html"
    _open(browser, page.as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == display_text(HOSTILE_NAME).strip()
    assert browser.find_elements(By.TAG_NAME, "img") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    _open(browser, (site / "index.html").as_uri())
    search = browser.find_element(By.ID, "q")
    search.send_keys("</script>")
    assert _visible_events(browser) == [display_text(HOSTILE_NAME)]
    assert _console_errors(browser) == []


def _full_page(browser, path) -> None:
    """The whole page: the window made as tall as the page (rows off screen skip their
    layout, `content-visibility: auto`, so a capture beyond the window would miss them)."""
    size = browser.get_window_size()
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(size["width"], min(height + 100, 6000))
    try:
        assert browser.save_screenshot(str(path)), path
    finally:
        browser.set_window_size(size["width"], size["height"])


PAGES = {
    "index": "index.html",
    "event": "events/segment/ecommerce/Cart_Viewed.html",
    "properties": "properties.html",
}


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_screenshots(browser, site, artifacts, size):
    """Saved for a person to look at; asserts only that the page fits the width."""
    for name, path in PAGES.items():
        for dark in (False, True):
            _open(browser, (site / path).as_uri(), size=size, dark=dark)
            browser.execute_script(
                "document.querySelectorAll('details').forEach(d => d.open = true)"
            )
            scroll = browser.execute_script("return document.documentElement.scrollWidth")
            width = browser.execute_script("return document.documentElement.clientWidth")
            assert scroll <= width, (name, size, scroll, width)  # no sideways scrolling
            shot = artifacts / f"{name}-{size[0]}x{size[1]}{'-dark' if dark else ''}.png"
            assert browser.save_screenshot(str(shot)), shot
            _full_page(browser, shot.with_name(shot.stem + "-full.png"))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_no_serious_violation(browser, site, dark, axe_js):
    script = axe_js.read_text(encoding="utf-8")
    for path in PAGES.values():
        _open(browser, (site / path).as_uri(), dark=dark)
        browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        browser.execute_script(script)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length])))"
            ".catch(e => done([['axe-error', String(e), 0]]));"
        )
        serious = [v for v in result if v[1] in ("serious", "critical") or v[0] == "axe-error"]
        assert serious == [], (path, serious)
