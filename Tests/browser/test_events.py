"""Community life with the keyboard alone: a resident signs up for an event on a phone at 200 % text
size and gets a ticket; the community worker checks her in from the check-in page by typing the code,
is told why a second scan and an unknown code are refused, and checks in another ticket while the
phone is offline — queued, then sent when the network is back, and counted once."""
import json
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver
from test_resident import sign_in, wait_for_new_page
from test_services_notices import fits

RESIDENT = "13900000003"
WORKER = "13800000003"
EVENT = "书画社作品展"


def api(base_url, path, token=None, body=None):
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode() if body is not None else None,
                                     method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def token(base_url, phone):
    return api(base_url, "/api/v1/auth/token", body={"phone": phone, "password": "linli-demo"})["token"]


def tab_to(driver, element, limit=200):
    """Presses Tab until `element` has the focus (the keyboard alone, as a person would)."""
    for _ in range(limit):
        if driver.switch_to.active_element == element:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError("never reached by Tab: " + element.text)


def scan(driver, code):
    field = driver.find_element(By.ID, "door-code")
    tab_to(driver, field)
    field.send_keys(code, Keys.ENTER)
    result = driver.find_element(By.ID, "door-result")
    WebDriverWait(driver, 10).until(lambda d: result.text.strip() != "")
    text = result.text
    driver.execute_script("arguments[0].textContent = ''", result)
    return text, result.get_attribute("class")


def test_sign_up_by_keyboard_and_check_in_at_the_door(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, RESIDENT)
    driver.get(base_url + "/events")
    assert fits(driver)
    card = [c for c in driver.find_elements(By.CSS_SELECTOR, "article.event") if EVENT in c.text][0]
    button = card.find_element(By.CSS_SELECTOR, "button.primary")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(driver, button)
    wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    assert "报名成功" in driver.find_element(By.TAG_NAME, "body").text and fits(driver)
    mine = [c for c in driver.find_elements(By.CSS_SELECTOR, "article.event") if EVENT in c.text][0]
    code = mine.find_element(By.CSS_SELECTOR, ".code").text.strip()
    assert len(code) == 8

    worker = make_driver()
    try:
        sign_in(worker, base_url, WORKER)
        worker.get(base_url + "/console")
        community = worker.find_element(By.CSS_SELECTOR, "a[href*='/console/']").get_attribute("href").split("/console/")[1].split("/")[0]
        worker.get(f"{base_url}/console/{community}/events")
        row = [r for r in worker.find_elements(By.CSS_SELECTOR, "tbody tr") if EVENT in r.text][0]
        door = row.find_element(By.CSS_SELECTOR, "a[href$='/door']").get_attribute("href")
        worker.get(door)
        text, kind = scan(worker, code.lower())
        assert "欢迎" in text and "ok" in kind
        text, kind = scan(worker, code)
        assert "已于" in text and "refused" in kind
        text, kind = scan(worker, "ZZZZ2345")
        assert "无此票码" in text and "refused" in kind

        # Another resident's ticket, scanned while the phone is offline: queued, then sent once.
        other = token(base_url, "13900000001")
        event_id = door.split("/events/")[1].split("/")[0]
        signed = api(base_url, f"/api/v1/events/{event_id}/registration", other, {})
        second = signed["ticket"]["code"]
        worker.get(door)  # the page now keeps the new ticket's hash
        worker.set_network_conditions(offline=True, latency=0, throughput=0)
        text, kind = scan(worker, second)
        assert "queued" in kind, text
        text, kind = scan(worker, second)
        assert "refused" in kind, text  # the same phone already let it in offline
        worker.set_network_conditions(offline=False, latency=0, throughput=0)
        worker.execute_script("window.dispatchEvent(new Event('online'))")
        staff = token(base_url, WORKER)
        WebDriverWait(worker, 20).until(
            lambda d: api(base_url, f"/api/v1/communities/{community}/events/{event_id}", staff)["checkedIn"] == 2)
        WebDriverWait(worker, 10).until(lambda d: d.find_element(By.ID, "door-queue").text == "")
    finally:
        worker.quit()
