"""What the stories share: the demo password, logging in, and waiting."""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

DEMO_PASSWORD = "shop-demo-2026"


def waiting(browser: WebDriver, seconds: float = 10) -> WebDriverWait:
    """A wait whose condition is tried again when htmx replaced an element it
    had found (the element went stale in between)."""
    return WebDriverWait(browser, seconds, ignored_exceptions=[StaleElementReferenceException])


def log_in(browser: WebDriver, site_url: str, email: str, *, then: str = "/cabinet/") -> None:
    """Through allauth's login page; waits for the page it leads to (``then``)."""
    browser.get(f"{site_url}/accounts/login/?next={then}")
    browser.find_element(By.ID, "id_login").send_keys(email)
    browser.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    waiting(browser).until(lambda b: b.current_url == f"{site_url}{then}")
