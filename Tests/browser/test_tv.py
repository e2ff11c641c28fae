"""The elderly TV channel driven by the remote alone (keys sent to the page, never a click): every
screen within three presses of home, exactly one visibly focused element at every step, Back returning
the focus to the tile that opened the screen, nothing under 24 px, an emergency notice on screen within
5 s, and the WCAG audit of home and two screens. Prints the presses each screen took."""
import os
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver
from test_accessibility import AXE, RUN
from test_events import api, token

TV_TOKEN = "demo-device-33"
SCREENS = ["notices", "care", "bills", "usage", "services", "events", "contacts", "ask"]
SHOTS = os.environ.get("LINLI_SHOTS")

FOCUS_STATE = """
const el = document.activeElement;
const pick = s => [s.outlineStyle, s.outlineWidth, s.backgroundColor, s.color, s.transform].join('|');
const focused = el && el !== document.body ? pick(getComputedStyle(el)) : null;
let plain = null;
if (focused) { el.blur(); plain = pick(getComputedStyle(el)); el.focus(); }
return {count: document.querySelectorAll(':focus').length, nav: !!(el && el.hasAttribute('data-nav') || el.closest('#tv-pad')),
        id: el ? el.id : '', focused: focused, plain: plain, screen: document.querySelector('main').dataset.screen};
"""

SMALL_TEXT = """
const small = [];
for (const el of document.querySelectorAll('body *')) {
  if (!el.offsetParent && el.tagName !== 'BODY') continue;
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  if (own && parseFloat(getComputedStyle(el).fontSize) < 24) small.push(el.tagName + ' ' + el.textContent.trim().slice(0, 20));
}
return small;
"""


def press(driver, key):
    ActionChains(driver).send_keys(key).perform()


def screen(driver):
    return driver.find_element(By.CSS_SELECTOR, "main[data-screen]").get_attribute("data-screen")


def check_focus(driver):
    state = driver.execute_script(FOCUS_STATE)
    assert state["count"] == 1 and state["nav"], state
    assert state["focused"] != state["plain"], state
    return state


def press_to(driver, key, expect):
    old = driver.find_element(By.TAG_NAME, "html")
    press(driver, key)
    WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id and screen(d) == expect)
    check_focus(driver)


def test_the_tv_is_driven_by_the_remote_alone(base_url):
    driver = make_driver(1280, 720)
    try:
        driver.get(base_url + "/tv")
        if driver.find_elements(By.ID, "tv-token"):  # the installer, once
            field = driver.find_element(By.ID, "tv-token")
            field.send_keys(TV_TOKEN, Keys.ENTER)
            WebDriverWait(driver, 10).until(lambda d: screen(d) == "home")
        assert screen(driver) == "home"
        assert driver.execute_script(SMALL_TEXT) == []
        check_focus(driver)
        if SHOTS:
            driver.save_screenshot(os.path.join(SHOTS, "tv-home.png"))
        tiles = driver.find_elements(By.CSS_SELECTOR, ".tv-tile")
        assert len(tiles) <= 8 and [t.get_attribute("id") for t in tiles] == ["tile-" + s for s in SCREENS]
        presses = {}
        for number, name in enumerate(SCREENS, start=1):
            # By its digit: one press.
            press_to(driver, str(number), name)
            assert driver.execute_script(SMALL_TEXT) == [], name
            for _ in range(3):  # the focus moves and stays single and visible on the screen
                press(driver, Keys.ARROW_DOWN)
                check_focus(driver)
            press_to(driver, Keys.BACKSPACE, "home")
            assert driver.switch_to.active_element.get_attribute("id") == "tile-" + name
            # By arrows and Enter from the first tile.
            driver.execute_script("document.getElementById('tile-notices').focus()")
            target = driver.find_element(By.ID, "tile-" + name)
            arrows = 0
            while driver.switch_to.active_element != target and arrows < 8:
                here, there = driver.switch_to.active_element.rect, target.rect
                key = Keys.ARROW_DOWN if there["y"] > here["y"] + 5 else Keys.ARROW_RIGHT if there["x"] > here["x"] else Keys.ARROW_LEFT
                press(driver, key)
                arrows += 1
                check_focus(driver)
            press_to(driver, Keys.ENTER, name)
            presses[name] = (1, arrows + 1)
            press_to(driver, Keys.ESCAPE, "home")
            assert driver.switch_to.active_element.get_attribute("id") == "tile-" + name
        print("\npresses from home (digit, arrows+Enter):", presses)
        assert all(min(p) <= 3 for p in presses.values())

        # 我很好 with the keys: the care screen's first item, then Enter; 0 reads the focused item.
        press_to(driver, "2", "care")
        press(driver, "1")
        assert driver.switch_to.active_element.get_attribute("id") == "care-fine"
        press_to(driver, Keys.ENTER, "care")
        assert "谢谢" in driver.find_element(By.CSS_SELECTOR, "[data-test=tv-message]").text
        driver.execute_script("window.__said = []; window.speechSynthesis.speak = u => window.__said.push(u.text);")
        press(driver, "0")
        assert driver.execute_script("return window.__said") != []
        if SHOTS:
            driver.save_screenshot(os.path.join(SHOTS, "tv-care.png"))
        # A bill paid with the household PIN on the number pad, by keys: the bill, pay, 2468, OK.
        press_to(driver, Keys.BACKSPACE, "home")
        press_to(driver, "3", "bills")
        if driver.find_elements(By.CSS_SELECTOR, ".tv-item.tv-urgent"):
            press_to(driver, Keys.ENTER, "bills")
            assert driver.switch_to.active_element.get_attribute("data-pin") == "1"
            press(driver, Keys.ENTER)
            assert driver.find_element(By.ID, "tv-pad").is_displayed()
            check_focus(driver)
            for key in "2468":
                press(driver, key)
            for key in [Keys.ARROW_DOWN] * 3 + [Keys.ARROW_RIGHT] * 2:
                press(driver, key)
                check_focus(driver)
            assert driver.switch_to.active_element.get_attribute("data-pad") == "ok"
            press_to(driver, Keys.ENTER, "bills")
            assert "缴好了" in driver.find_element(By.CSS_SELECTOR, "[data-test=tv-message]").text
        problems = []
        for path in ["/tv", "/tv/care", "/tv/bills", "/tv/contacts"]:
            driver.get(base_url + path)
            driver.set_script_timeout(60)
            driver.execute_script(AXE)
            problems += [f"{path}: {v}" for v in driver.execute_async_script(RUN)]
        assert problems == []

        # An emergency notice for the TV is on screen within 5 s, without a key.
        press_to(driver, Keys.BACKSPACE, "home")
        operator = token(base_url, "13800000000")
        community = api(base_url, "/api/v1/me", operator)["roles"][0]["communityID"]
        title = "停水通知 %d" % int(time.time())
        api(base_url, f"/api/v1/communities/{community}/notices", operator,
            {"category": "emergency", "title": title, "body": "今晚 22 点起停水两小时。", "channels": ["app", "tv"]})
        started = time.time()
        WebDriverWait(driver, 8, poll_frequency=0.2).until(lambda d: title in d.find_element(By.ID, "tv-alerts").text)
        assert time.time() - started < 5
        check_focus(driver)

        # Without a key, the clock shows with the urgent notice (10 minutes; here 1.5 s); a key brings
        # the screen back, unchanged.
        driver.execute_script("document.body.setAttribute('data-idle', '1500')")
        WebDriverWait(driver, 5, poll_frequency=0.2).until(lambda d: d.find_element(By.ID, "tv-idle").is_displayed())
        assert title in driver.find_element(By.ID, "tv-idle").text
        press(driver, Keys.ARROW_DOWN)
        assert not driver.find_element(By.ID, "tv-idle").is_displayed() and screen(driver) == "home"
        driver.execute_script("document.body.setAttribute('data-idle', '600000')")

        # The server out of reach: a press leaves the screen as it is, with a plain message.
        driver.execute_script("window.fetch = () => Promise.reject(new Error('down'))")
        press(driver, "3")
        WebDriverWait(driver, 5, poll_frequency=0.2).until(lambda d: "连不上" in d.find_element(By.ID, "tv-note").text)
        time.sleep(1)
        assert screen(driver) == "home"
        check_focus(driver)
        if SHOTS:
            driver.get(base_url + "/tv")
            press_to(driver, "3", "bills")
            driver.save_screenshot(os.path.join(SHOTS, "tv-bills.png"))
    finally:
        driver.quit()
