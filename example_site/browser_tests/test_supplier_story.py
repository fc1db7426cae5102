"""A supplier uploads a price list, watches the import wait for the worker and
end in its report, and confirms an order part of its shop: in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select

from .helpers import log_in, waiting

DEMO_PRICE_LIST = (
    Path(__file__).resolve().parent.parent / "demo" / "data" / "pricelist-svyaznoy.yaml"
)
CHANGED = 3
NEW_GOODS = 1500  # past the catalog's IMPORT_SYNC_MAX_BYTES: the import goes to the worker
SYNC_MAX_BYTES = 256 * 1024  # that setting's default


def changed_price_list(folder: Path) -> Path:
    """The demo shop's own price list with the first goods 10% dearer (all goods
    kept: a good missing from the file would lose its stock) and a new delivery
    of ``NEW_GOODS`` goods."""
    data = yaml.safe_load(DEMO_PRICE_LIST.read_text(encoding="utf-8"))
    for good in data["goods"][:CHANGED]:
        good["price"] = round(float(good["price"]) * 1.1)
    known = data["goods"]
    data["goods"] = known + [
        {
            **known[n % len(known)],
            "id": 90_000_000 + n,
            "name": f"{known[n % len(known)]['name']} №{n}",
        }
        for n in range(NEW_GOODS)
    ]
    path = folder / "pricelist-svyaznoy-new.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_supplier_imports_a_price_list_and_confirms_an_order_part(
    browser, site_url, screenshots, tmp_path, task_worker
):
    wait = waiting(browser, 30)
    log_in(browser, site_url, "supplier@example.com")
    wait.until(EC.presence_of_element_located((By.LINK_TEXT, "Supplier's desk"))).click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Supplier's desk"))
    assert "Связной" in browser.find_element(By.CSS_SELECTOR, ".shops").text
    browser.save_screenshot(str(screenshots / "supplier-desk.png"))

    # Upload: too large for the request, the import waits for the worker, and
    # the page says so; once a worker runs, the page follows it to its report.
    path = changed_price_list(tmp_path)
    assert path.stat().st_size > SYNC_MAX_BYTES
    Select(browser.find_element(By.ID, "id_shop")).select_by_visible_text("Связной")
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    browser.find_element(By.XPATH, "//button[normalize-space()='Upload and import']").click()
    wait.until(EC.url_contains("/desk/supplier/imports/"))
    assert browser.find_elements(By.ID, "job-progress"), browser.find_element(By.ID, "job").text
    assert "Waiting for a worker" in browser.find_element(By.ID, "job").text
    assert not browser.find_elements(By.CSS_SELECTOR, "#job .report")
    browser.save_screenshot(str(screenshots / "supplier-import-waiting.png"))
    task_worker()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#job .report")))
    report = {
        item.find_element(By.TAG_NAME, "dt").text: int(item.find_element(By.TAG_NAME, "dd").text)
        for item in browser.find_elements(By.CSS_SELECTOR, "#job .report div")
    }
    assert report["Updated"] >= CHANGED and report["New offers"] == NEW_GOODS
    assert "succeeded" in browser.find_element(By.ID, "job-state").text
    browser.save_screenshot(str(screenshots / "supplier-import-report.png"))

    # An order part in state "new" (the demo customer's orders): confirm it.
    browser.find_element(By.LINK_TEXT, "Order parts").click()
    Select(browser.find_element(By.ID, "id_status")).select_by_value("new")
    browser.find_element(By.XPATH, "//button[normalize-space()='Show']").click()
    wait.until(EC.url_contains("status=new"))
    browser.find_element(By.CSS_SELECTOR, "main table tbody tr td a").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "part-state"), "new"))
    buttons = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".actions button")]
    assert buttons == ["Confirm", "Cancel this part"]
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirm']").click()
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "confirmed"))
    assert "confirmed" in browser.find_element(By.ID, "part-state").text
    assert "Mark as assembled" in browser.find_element(By.CSS_SELECTOR, ".actions").text
    browser.save_screenshot(str(screenshots / "supplier-order-part.png"))

    # The list of parts on a phone: nothing wider than the screen.
    browser.set_window_size(390, 844)
    browser.find_element(By.LINK_TEXT, "Order parts").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "main table")))
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    table = browser.find_element(By.CSS_SELECTOR, "main .table-wrap")
    assert browser.execute_script("return arguments[0].scrollWidth", table) <= table.size["width"]
    browser.save_screenshot(str(screenshots / "supplier-order-parts-phone.png"))


def test_customer_prepares_and_downloads_personal_data(browser, site_url, screenshots, task_worker):
    task_worker()  # the archive is prepared by a task
    wait = waiting(browser, 10)
    log_in(browser, site_url, "customer@example.com")
    browser.get(f"{site_url}/cabinet/data/")
    browser.find_element(By.XPATH, "//button[normalize-space()='Prepare my data']").click()
    link = wait.until(EC.presence_of_element_located((By.LINK_TEXT, "Download")))
    archive = browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.json()).then(arguments[1])", link.get_attribute("href")
    )
    assert archive["sections"] and "customer@example.com" in str(archive)
    browser.save_screenshot(str(screenshots / "cabinet-personal-data.png"))
