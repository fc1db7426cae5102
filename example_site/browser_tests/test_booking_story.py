"""A client whose browser runs in New York books the Berlin masseur, sees the
slots and the booking in its own time zone, and reschedules: in a real Chromium."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .helpers import log_in, waiting

CLIENT_ZONE = "America/New_York"  # neither the site's (UTC) nor the specialist's (Berlin)
SPECIALIST_ZONE = "Europe/Berlin"


def changeable_slots(browser) -> list:
    """Slot buttons far enough ahead for the client to reschedule (the cutoff is a day)."""
    soon = datetime.now(timezone.utc) + timedelta(days=2)
    buttons = browser.find_elements(By.CSS_SELECTOR, ".day button[data-start]")
    return [b for b in buttons if datetime.fromisoformat(b.get_attribute("data-start")) > soon]


def pick_slot(browser, wait, *, not_on: str = "") -> tuple[str, str]:
    """Click a free slot (on another day than ``not_on``); returns its instant and shown time."""
    for _week in range(3):
        slots = [
            b for b in changeable_slots(browser) if b.get_attribute("data-start")[:10] != not_on
        ]
        if slots:
            break
        browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
        wait.until(EC.staleness_of(browser.find_element(By.TAG_NAME, "main")))
    button = slots[len(slots) // 2]
    chosen = (button.get_attribute("data-start"), button.find_element(By.CLASS_NAME, "local").text)
    button.click()
    return chosen


def local_time(instant: str, zone: str) -> str:
    return datetime.fromisoformat(instant).astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")


def test_client_books_across_time_zones_and_reschedules(browser, site_url, screenshots):
    wait = waiting(browser, 10)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": CLIENT_ZONE})

    log_in(browser, site_url, "customer@example.com")

    # The Berlin specialist's massage; the page learns the browser's zone and shows itself in it.
    browser.get(f"{site_url}/specialists/")
    card = browser.find_element(By.XPATH, f"//section[.//p[contains(., '{SPECIALIST_ZONE}')]]")
    card.find_element(By.TAG_NAME, "a").click()
    wait.until(
        lambda b: b.find_element(By.ID, "zone-note").get_attribute("data-zone") == CLIENT_ZONE
    )
    assert browser.find_element(By.ID, "id_tz").get_attribute("value") == CLIENT_ZONE
    slots = browser.find_elements(By.CSS_SELECTOR, ".day button[data-start]")
    assert slots
    for button in slots[:20]:
        instant = button.get_attribute("data-start")
        assert button.find_element(By.CLASS_NAME, "local").text == local_time(instant, CLIENT_ZONE)
        there = button.find_element(By.CLASS_NAME, "theirs").text
        assert there.startswith(local_time(instant, SPECIALIST_ZONE))
    browser.save_screenshot(str(screenshots / "booking-slots.png"))

    instant, shown = pick_slot(browser, wait)
    wait.until(EC.url_to_be(f"{site_url}/cabinet/bookings/"))
    assert "Booked: " in browser.find_element(By.CLASS_NAME, "messages").text
    row = browser.find_element(
        By.XPATH, f"//table[@id='upcoming']//tr[.//time[@datetime='{instant}']]"
    )
    assert row.find_element(By.CLASS_NAME, "local").text == shown
    browser.save_screenshot(str(screenshots / "my-bookings.png"))

    # Another day, through the same picker.
    row.find_element(By.LINK_TEXT, "Reschedule").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Reschedule: "))
    new_instant, new_shown = pick_slot(browser, wait, not_on=instant[:10])
    wait.until(EC.url_to_be(f"{site_url}/cabinet/bookings/"))
    assert "Moved to" in browser.find_element(By.CLASS_NAME, "messages").text
    table = browser.find_element(By.ID, "upcoming")
    moved = table.find_element(By.XPATH, f".//tr[.//time[@datetime='{new_instant}']]")
    assert moved.find_element(By.CLASS_NAME, "local").text == new_shown
    assert not table.find_elements(By.XPATH, f".//tr[.//time[@datetime='{instant}']]")
    browser.save_screenshot(str(screenshots / "my-bookings-rescheduled.png"))
