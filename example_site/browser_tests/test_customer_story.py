"""A customer logs in, browses, filters, adds to the cart, checks out, and sees
the order and the spending chart in the cabinet: in a real Chromium."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select

from .helpers import DEMO_PASSWORD, waiting


def test_customer_buys_and_sees_the_order_and_the_chart(browser, site_url, screenshots):
    wait = waiting(browser, 10)

    browser.get(f"{site_url}/accounts/login/")
    browser.find_element(By.ID, "id_login").send_keys("customer@example.com")
    browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    browser.save_screenshot(str(screenshots / "login.png"))
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait.until(EC.url_to_be(f"{site_url}/cabinet/"))

    browser.get(f"{site_url}/")
    assert "Смартфоны" in browser.find_element(By.CSS_SELECTOR, ".tree").text
    browser.save_screenshot(str(screenshots / "home.png"))

    # Filter in place (htmx): the category, then the cheapest first.
    browser.get(f"{site_url}/catalogue/")
    everything = browser.find_element(By.CSS_SELECTOR, "#results .muted").text
    Select(browser.find_element(By.ID, "f-category")).select_by_visible_text("Смартфоны")
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, "#results .muted").text != everything)
    assert "category=" in browser.current_url  # the filtered page can be shared
    Select(browser.find_element(By.ID, "f-ordering")).select_by_value("price")
    wait.until(EC.url_contains("ordering=price"))
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#results .product-card")) > 0)
    prices = [
        float(card.text.split("from ")[1].split(" ₽")[0].replace(",", ""))
        for card in browser.find_elements(By.CSS_SELECTOR, "#results .product-card")
    ]
    assert prices == sorted(prices) and len(prices) >= 2
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(screenshots / "catalogue.png"))

    # The product page: every offer; add one to the cart in place.
    browser.find_element(By.CSS_SELECTOR, "#results .product-card h3 a").click()
    wait.until(EC.presence_of_element_located((By.ID, "offers-title")))
    product_name = browser.find_element(By.TAG_NAME, "h1").text
    badge_before = int(browser.find_element(By.ID, "cart-badge").text)
    browser.find_element(By.CSS_SELECTOR, "form[action='/cart/add/'] button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "cart-status"), "Added to the cart"))
    wait.until(lambda b: int(b.find_element(By.ID, "cart-badge").text) == badge_before + 1)
    browser.save_screenshot(str(screenshots / "product.png"))

    browser.find_element(By.LINK_TEXT, "Go to the cart").click()
    assert product_name in browser.find_element(By.ID, "cart").text
    browser.find_element(By.LINK_TEXT, "Check out").click()
    wait.until(EC.presence_of_element_located((By.ID, "summary-title")))
    saved = browser.find_elements(By.CSS_SELECTOR, "input[name=saved_address]:checked")
    assert saved and saved[0].get_attribute("value")  # the default address, chosen for us
    browser.save_screenshot(str(screenshots / "checkout.png"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Place the order']").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    number = browser.find_element(By.TAG_NAME, "h1").text.split("Order ")[1].split(" ")[0]
    assert product_name in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "cart-badge").text == "0"

    # The cabinet: the new order in the history, twelve bars in the chart.
    browser.get(f"{site_url}/cabinet/")
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    assert len(bars) == 12
    assert max(float(bar.get_attribute("height")) for bar in bars) > 0
    browser.save_screenshot(str(screenshots / "cabinet.png"))
    browser.find_element(By.LINK_TEXT, "Orders").click()
    assert number in browser.find_element(By.TAG_NAME, "table").text
    browser.find_element(By.LINK_TEXT, number).click()
    assert "new" in browser.find_element(By.CSS_SELECTOR, ".timeline").text.lower()


def test_phone_width_and_russian(browser, site_url, screenshots):
    browser.set_window_size(390, 844)
    browser.get(f"{site_url}/catalogue/")
    Select(browser.find_element(By.ID, "language")).select_by_value("ru")
    browser.find_element(By.CSS_SELECTOR, "form.lang button").click()
    waiting(browser, 10).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == "Каталог"
    # Nothing wider than the screen: no sideways scrolling on a phone.
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
    browser.save_screenshot(str(screenshots / "catalogue-phone-ru.png"))
