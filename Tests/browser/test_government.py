"""Government services in the browser: the demo resident sends the id card the office asked for from
their phone at 200 % text size, with the keyboard alone, and sees it listed, no longer missing; the
community worker opens the application on the console, opens the material (the read is logged and
shown) and records the next step with the form."""
import os
import tempfile
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import make_driver
from test_events import tab_to
from test_resident import sign_in, wait_for_new_page
from test_services_notices import fits

RESIDENT = "13900000001"
WORKER = "13800000003"


def test_a_material_sent_from_the_phone_and_the_next_step_on_the_console(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, RESIDENT)
    driver.get(base_url + "/applications")
    assert fits(driver)
    card = [c for c in driver.find_elements(By.CSS_SELECTOR, "article.card") if "居住证明" in c.text][0]
    assert "身份证" in card.text and "还需补充" in card.text
    summary = card.find_element(By.TAG_NAME, "summary")
    tab_to(driver, summary)
    summary.send_keys(Keys.ENTER)
    Select(card.find_element(By.CSS_SELECTOR, "select[name=material]")).select_by_value("id_card")
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "id-card.pdf")
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n% id card, for the test\n%%EOF\n")
    card.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(path)
    button = card.find_element(By.CSS_SELECTOR, "button.primary")
    wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    card = [c for c in driver.find_elements(By.CSS_SELECTOR, "article.card") if "居住证明" in c.text][0]
    assert "已交材料" in card.text and "还需补充" not in card.text, card.text
    assert card.find_element(By.CSS_SELECTOR, "a[href*='/materials/']").text == "身份证"

    driver = make_driver(1280, 900)
    try:
        sign_in(driver, base_url, WORKER)
        driver.get(base_url + "/console")
        console = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='/console/']")][0].split("/console/")[1].split("/")[0]
        driver.get(f"{base_url}/console/{console}/applications")
        row = [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if "王建华" in r.text][0]
        detail = row.find_element(By.TAG_NAME, "a").get_attribute("href")
        # The worker opens the material (as the browser would download it), then sees the read in the log.
        driver.get(detail)
        material = driver.find_element(By.CSS_SELECTOR, "a[href*='/materials/']").get_attribute("href")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        request = urllib.request.Request(material, headers={"Cookie": cookies})
        with urllib.request.urlopen(request) as response:
            assert response.read().startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
        driver.get(detail)
        reads = driver.find_element(By.ID, "materials-title").find_element(By.XPATH, "..").text
        assert "赵丽" in reads, reads
        step = Select(driver.find_element(By.ID, "step"))
        assert [o.get_attribute("value") for o in step.options] == ["incomplete", "accept", "withdraw"]
        step.select_by_value("accept")
        record = driver.find_element(By.CSS_SELECTOR, "form[action$='/steps'] button.primary")
        wait_for_new_page(driver, lambda: record.send_keys(Keys.ENTER))
        WebDriverWait(driver, 10).until(lambda d: "受理" in d.find_element(By.TAG_NAME, "main").text)
        assert "已受理，办理中" in driver.find_element(By.TAG_NAME, "main").text
    finally:
        driver.quit()
