"""The operator's analytics page: opened from the console, the period changed with the keyboard alone,
the same figures downloaded as CSV, and no serious or critical WCAG finding."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver
from test_accessibility import AXE, RUN
from test_events import tab_to
from test_resident import sign_in


def test_the_operator_changes_the_period_by_keyboard_and_downloads_the_csv(base_url):
    driver = make_driver(1280, 900)
    try:
        sign_in(driver, base_url, "13800000000")
        driver.get(base_url + "/console")
        community = next(a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a")
                         if "/console/" in (a.get_attribute("href") or "")).split("/console/")[1].split("/")[0]
        driver.get(base_url + f"/console/{community}")
        tab = driver.find_element(By.CSS_SELECTOR, f"a[href='/console/{community}/analytics']")
        tab_to(driver, tab)
        old = driver.find_element(By.TAG_NAME, "html")
        tab.send_keys(Keys.ENTER)
        WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)
        assert driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        # The period by keys: the start date typed into the date field, then Enter submits the form.
        start = driver.find_element(By.CSS_SELECTOR, "[data-test=analytics-from]")
        tab_to(driver, start)
        start.send_keys("01012026")  # the date field takes the digits of mm/dd/yyyy or dd/mm/yyyy in turn
        old = driver.find_element(By.TAG_NAME, "html")
        start.send_keys(Keys.ENTER)
        WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)
        assert "from=2026-01-01" in driver.current_url, driver.current_url
        csv = driver.find_element(By.CSS_SELECTOR, "[data-test=analytics-csv]")
        assert "from=2026-01-01" in csv.get_attribute("href") and "/analytics/csv" in csv.get_attribute("href")
        # The download, as the browser fetches the link with the page's session.
        text = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(t => done(r.headers.get('content-type') + '\\n' + t)))",
            csv.get_attribute("href"))
        assert text.startswith("text/csv"), text[:80]
        assert "figure,value\r\n" in text and "workOrders.overdueOpen," in text and "fees.collectionRate," in text
        driver.set_script_timeout(60)
        driver.execute_script(AXE)
        assert driver.execute_async_script(RUN) == []
    finally:
        driver.quit()


def test_the_communities_side_by_side_on_a_phone(base_url):
    driver = make_driver(390, 844)
    try:
        sign_in(driver, base_url, "13800000000")
        driver.get(base_url + "/console/analytics")
        tables = driver.find_elements(By.CSS_SELECTOR, "[data-test=compare-workOrders], [data-test=compare-fees]")
        assert len(tables) == 2
        # A wide table scrolls in its own region, which the keyboard can reach; the page itself does not.
        region = driver.find_element(By.CSS_SELECTOR, ".table-scroll")
        tab_to(driver, region)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        driver.set_script_timeout(60)
        driver.execute_script(AXE)
        assert driver.execute_async_script(RUN) == []
    finally:
        driver.quit()
