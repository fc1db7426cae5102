"""Keyboard use and text contrast, checked in the browser: what a label test
on the HTML cannot see."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from .helpers import DEMO_PASSWORD, log_in, waiting

# For every visible element with text of its own: its colour against the
# background it is drawn on (the nearest ancestor's opaque background, semi-
# transparent ones blended), the WCAG 2 contrast ratio, and whether the text
# is large (24px, or 18.66px bold). Text over a picture is left out: its
# background is not a colour. Disabled controls are exempt in WCAG.
CONTRAST_SCRIPT = """
function rgba(text) {
  const parts = text.match(/[\\d.]+/g).map(Number);
  return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
}
function over(top, below) {
  const a = top.a;
  return {r: top.r * a + below.r * (1 - a), g: top.g * a + below.g * (1 - a),
          b: top.b * a + below.b * (1 - a), a: 1};
}
function luminance(c) {
  const channel = v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}
function background(element) {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage !== "none") return null;
    const colour = rgba(style.backgroundColor);
    if (colour.a > 0) layers.push(colour);
    if (colour.a === 1) break;
  }
  let result = {r: 255, g: 255, b: 255, a: 1};
  for (const layer of layers.reverse()) result = over(layer, result);
  return result;
}
const found = [];
for (const element of document.body.querySelectorAll("*")) {
  const own = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || element.closest("[disabled], [aria-disabled=true], .visually-hidden")) continue;
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  if (!box.width || !box.height || style.visibility === "hidden" || box.right < 0) continue;
  const back = background(element);
  if (back === null) continue;
  const fore = over(rgba(style.color), back);
  const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
  found.push({text: element.textContent.trim().slice(0, 40), tag: element.tagName,
              ratio: (light + 0.05) / (dark + 0.05),
              large: size >= 24 || (bold && size >= 18.66)});
}
return found;
"""


def contrast_failures(browser: WebDriver) -> list[str]:
    return [
        f"{item['tag']} {item['text']!r}: {item['ratio']:.2f}"
        for item in browser.execute_script(CONTRAST_SCRIPT)
        if item["ratio"] < (3 if item["large"] else 4.5)
    ]


def first_product_path(browser: WebDriver, site_url: str) -> str:
    browser.get(f"{site_url}/catalogue/")
    link = browser.find_element(By.CSS_SELECTOR, "#results .product-card h3 a")
    return link.get_attribute("href").removeprefix(site_url)


@pytest.mark.parametrize(
    "path", ["/", "/catalogue/", "product", "/specialists/", "/accounts/login/", "/about/"]
)
def test_text_contrast_meets_wcag_aa(browser, site_url, path):
    if path == "product":
        path = first_product_path(browser, site_url)
    browser.get(f"{site_url}{path}")
    checked = browser.execute_script(CONTRAST_SCRIPT)
    assert len(checked) > 10  # the page's text was found
    assert contrast_failures(browser) == []


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("customer@example.com", "/cabinet/"),
        ("customer@example.com", "/cabinet/orders/"),
        ("supplier@example.com", "/desk/supplier/"),
        ("masseur@example.com", "/desk/specialist/"),
    ],
)
def test_signed_in_pages_meet_wcag_aa_contrast(browser, site_url, email, path):
    log_in(browser, site_url, email, then=path)
    assert len(browser.execute_script(CONTRAST_SCRIPT)) > 10
    assert contrast_failures(browser) == []


def test_contrast_check_finds_faint_text(browser, site_url):
    """The check above can fail: grey text on white is caught."""
    browser.get(f"{site_url}/")
    browser.execute_script(
        "const p = document.createElement('p'); p.textContent = 'faint';"
        "p.style.cssText = 'color:#aaa;background:#fff'; document.querySelector('main').prepend(p);"
    )
    assert contrast_failures(browser) == ["P 'faint': 2.32"]


def active(browser: WebDriver) -> dict:
    return browser.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {tag: e.tagName, id: e.id, cls: e.className, text: e.textContent.trim(),"
        " outline: s.outlineStyle, left: e.getBoundingClientRect().left};"
    )


def cart_badge(browser: WebDriver) -> int:
    # Read in the page: htmx replaces the badge, so a found element may go stale.
    return int(browser.execute_script("return document.getElementById('cart-badge').textContent"))


def tab_to_add_to_cart(browser: WebDriver) -> dict:
    for _ in range(40):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        focused = active(browser)
        if focused["tag"] == "BUTTON" and focused["text"] == "Add to cart":
            return focused
    pytest.fail("Tab never reached the add-to-cart button")


def test_keyboard_alone_logs_in_and_adds_to_the_cart(browser, site_url):
    wait = waiting(browser, 10)
    product = first_product_path(browser, site_url)
    browser.get(f"{site_url}{product}")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = active(browser)
    # The first stop is the skip link, shown on focus, with a visible focus ring.
    assert skip["cls"] == "skip" and skip["left"] >= 0 and skip["outline"] == "solid"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert active(browser)["id"] == "main"

    # Not logged in: the button leads to the login page, and back after it.
    assert tab_to_add_to_cart(browser)["outline"] == "solid"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda b: "/accounts/login/" in b.current_url)
    browser.find_element(By.ID, "id_login").click()
    browser.switch_to.active_element.send_keys("ivan@example.com", Keys.TAB, DEMO_PASSWORD)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda b: b.current_url == f"{site_url}{product}")

    badge = cart_badge(browser)
    assert tab_to_add_to_cart(browser)["outline"] == "solid"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda b: cart_badge(b) == badge + 1)
