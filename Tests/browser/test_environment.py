"""Irrigation and bins in a real browser against the running demo, at phone width and by keyboard: property
staff start 西区花园 by hand for one minute, see it open and water (the demo's simulated valve takes the
command and reports), and it stops by itself when its minute is up; the cleaner empties the nearly full 1栋垃圾桶 from the round."""
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_resident import sign_in, wait_for_new_page
from test_security_care import api, text_appears, token

STAFF = "13800000001"  # property staff


def community(base_url):
    t = token(base_url, STAFF)
    return [c for c in api(base_url, "GET", "/api/v1/communities", token=t)["items"] if c["name"] == "礼嘉智慧小区"][0]["id"]


def zone_card(driver, name):
    for card in driver.find_elements(By.CSS_SELECTOR, "section.zone"):
        if name in card.find_element(By.TAG_NAME, "h3").text:
            return card
    raise AssertionError(f"no zone card {name}")


def test_staff_water_a_zone_by_hand_on_a_phone_and_it_stops_by_itself(phone_zh, base_url):
    c = community(base_url)
    sign_in(phone_zh, base_url, STAFF)
    page = f"{base_url}/console/{c}/environment"
    phone_zh.get(page)
    card = zone_card(phone_zh, "西区花园")
    minutes = card.find_element(By.CSS_SELECTOR, "input[name=minutes]")
    minutes.clear()
    minutes.send_keys("1")
    # The keyboard alone: Enter in the field submits its form.
    wait_for_new_page(phone_zh, lambda: minutes.send_keys(Keys.ENTER))
    text_appears(phone_zh, "西区花园 已开始浇灌")
    assert "手动浇灌中" in zone_card(phone_zh, "西区花园").text
    # The valve confirms within its report interval; then, a minute on, the runtime closes it. The page
    # is not reloaded: its live feed brings each change.
    watered = stopped = False
    deadline = time.time() + 240
    while time.time() < deadline and not stopped:
        time.sleep(1)
        try:
            card = zone_card(phone_zh, "西区花园")
            text = card.text
            newest = card.find_elements(By.CSS_SELECTOR, "ul.history li")[0].text
        except (StaleElementReferenceException, IndexError):
            continue  # the live feed was replacing the zones just then
        watered = watered or "浇灌中" in text.split("当前")[-1].split("用水")[0]
        # By itself, when its minute was up (a run by hand does not stop at the soil's target).
        stopped = "未在浇灌" in text and "已完成" in newest and "时间到" in newest
    assert watered, "the zone never showed watering"
    assert stopped, zone_card(phone_zh, "西区花园").text
    assert "自动模式" in zone_card(phone_zh, "西区花园").text
    # Nothing overflows the phone's width.
    assert phone_zh.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_cleaner_empties_the_nearly_full_bin_from_the_round(phone_en, base_url):
    c = community(base_url)
    sign_in(phone_en, base_url, STAFF)
    phone_en.get(f"{base_url}/console/{c}/environment/round")
    items = phone_en.find_elements(By.CSS_SELECTOR, "ol.round li")
    names = [li.text for li in items]
    assert any("1栋垃圾桶" in n for n in names), names
    button = [li for li in items if "1栋垃圾桶" in li.text][0].find_element(By.TAG_NAME, "button")
    size = button.size
    assert size["width"] >= 60 and size["height"] >= 60, size
    wait_for_new_page(phone_en, button.click)
    text_appears(phone_en, "1栋垃圾桶 recorded as emptied.")
    assert not any("1栋垃圾桶" in li.text for li in phone_en.find_elements(By.CSS_SELECTOR, "ol.round li"))
