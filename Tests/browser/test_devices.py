"""The guard's live alarm console: an alarm raised by a device appears on the open page without a
reload (WebSocket feed), and the guard acknowledges it with the keyboard — on a phone-sized window."""
import json
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from test_resident import click_and_wait, sign_in, wait_for_new_page

GUARD = "13800000002"
EMERGENCY_BUTTON = "demo-device-17"  # 1栋101紧急按钮 of the demo; rule 紧急呼叫 raises a critical alarm


def press_button(base_url, pressed):
    request = urllib.request.Request(
        f"{base_url}/api/v1/{EMERGENCY_BUTTON}/telemetry", method="POST",
        data=json.dumps({"pressed": pressed}).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_alarm_appears_live_and_is_acknowledged_with_the_keyboard(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, GUARD)
    driver.get(base_url + "/console")
    click_and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "礼嘉智慧小区"))
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "告警"))
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    before = len(driver.find_elements(By.CSS_SELECTOR, "#alarm-table tbody tr"))
    time.sleep(1.0)  # the page's WebSocket opens; then the device reports
    press_button(base_url, True)
    WebDriverWait(driver, 15).until(lambda d: "紧急呼叫" in d.find_element(By.ID, "live").text
                                    or "emergency" in d.find_element(By.ID, "live").text)

    def fresh_rows(d):
        return [r for r in d.find_elements(By.CSS_SELECTOR, "#alarm-table tbody tr") if "紧急呼叫" in r.text and "未确认" in r.text]

    WebDriverWait(driver, 15).until(fresh_rows)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#alarm-table tbody tr")) >= before
    # The new alarm's 确认 button is reached and pressed with the keyboard.
    row = fresh_rows(driver)[0]
    row_id = row.get_attribute("id")
    button = row.find_element(By.XPATH, ".//button[normalize-space()='确认']")
    driver.execute_script("arguments[0].focus()", button)
    assert driver.switch_to.active_element == button
    wait_for_new_page(driver, lambda: driver.switch_to.active_element.send_keys(Keys.ENTER))
    row = driver.find_element(By.ID, row_id)
    assert "已确认" in row.text and "张伟" in row.text
    press_button(base_url, False)
