"""A resident signs in on a phone-sized window, in Chinese and in English, with the keyboard alone,
and switches to elder mode (适老化), whose sizes, spacing and contrast are read from computed styles."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

RESIDENT = "13900000001"
PASSWORD = "linli-demo"


def new_page_loaded(driver):
    """True once the marked document has been replaced by a fully loaded new one."""
    try:
        return driver.execute_script("return window.__linliOld === undefined && document.readyState === 'complete'")
    except WebDriverException:
        return False  # between documents


def wait_for_new_page(driver, action):
    """Marks the current document, runs `action` (which loads a page) and waits for the next document."""
    driver.execute_script("window.__linliOld = true")
    action()
    WebDriverWait(driver, 10).until(new_page_loaded)


def click_and_wait(driver, element):
    """Clicks something that loads a new page and waits until it has."""
    wait_for_new_page(driver, element.click)


def sign_in(driver, base_url, phone=RESIDENT):
    driver.get(base_url + "/login")
    driver.find_element(By.ID, "phone").send_keys(phone)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(driver, driver.find_element(By.ID, "login-submit"))


def press(driver, selector):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, selector))


def test_resident_signs_in_in_chinese_and_sees_household(phone_zh, base_url):
    sign_in(phone_zh, base_url)
    body = phone_zh.find_element(By.TAG_NAME, "body").text
    assert phone_zh.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "王建华" in body and "1栋 101" in body and "家庭成员" in body
    assert "陈静" in body  # a family member
    # Nothing is wider than the phone screen.
    assert phone_zh.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_resident_signs_in_in_english(phone_en, base_url):
    sign_in(phone_en, base_url)
    assert phone_en.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    body = phone_en.find_element(By.TAG_NAME, "body").text
    assert "Household members" in body and "Owner" in body


def test_wrong_password_shows_a_message(phone_en, base_url):
    phone_en.get(base_url + "/login")
    phone_en.find_element(By.ID, "phone").send_keys("13900000003")
    phone_en.find_element(By.ID, "password").send_keys("wrong-password")
    click_and_wait(phone_en, phone_en.find_element(By.ID, "login-submit"))
    assert "phone number or password is not correct" in phone_en.find_element(By.ID, "login-error").text


def test_login_with_keyboard_alone(phone_zh, base_url):
    phone_zh.get(base_url + "/login")
    active = lambda: phone_zh.switch_to.active_element
    assert active().get_attribute("id") == "phone"  # autofocus
    active().send_keys("13900000002")
    active().send_keys(Keys.TAB)
    assert active().get_attribute("id") == "password"
    # Focus is visible: the focused field draws an outline.
    outline = phone_zh.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    active().send_keys(PASSWORD)
    active().send_keys(Keys.TAB)
    assert active().get_attribute("id") == "login-submit"
    wait_for_new_page(phone_zh, lambda: active().send_keys(Keys.ENTER))
    assert "李秀英" in phone_zh.find_element(By.TAG_NAME, "body").text


def luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def parse(color):
    return tuple(int(x) for x in re.findall(r"\d+", color)[:3])


def contrast(fg, bg):
    a, b = sorted((luminance(parse(fg)), luminance(parse(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_elder_mode_meets_the_elderly_friendly_spec(phone_zh, base_url):
    sign_in(phone_zh, base_url, phone="13900000003")
    if "elder" not in phone_zh.find_element(By.TAG_NAME, "body").get_attribute("class"):
        press(phone_zh, "[data-test=elder-toggle]")
    body = phone_zh.find_element(By.TAG_NAME, "body")
    assert "elder" in body.get_attribute("class")
    style = phone_zh.execute_script(
        "const s = getComputedStyle(document.body); return [s.fontSize, s.lineHeight, s.color, s.backgroundColor]")
    font_px, line_px = float(style[0].rstrip("px")), float(style[1].rstrip("px"))
    assert font_px >= 24, "main text at least 18 pt"
    assert line_px / font_px >= 1.3, "line spacing at least 1.3"
    assert contrast(style[2], style[3]) >= 4.5
    # Every button and link in the header and main is at least 60 x 60 px (touch targets).
    sizes = phone_zh.execute_script(
        "return [...document.querySelectorAll('main button, header button, main a.button')]"
        ".map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height]; })")
    assert sizes
    for label, width, height in sizes:
        assert width >= 59.5 and height >= 59.5, f"{label}: {width}x{height}"
    # Remembered: a new page keeps elder mode.
    phone_zh.get(base_url + "/me")
    assert "elder" in phone_zh.find_element(By.TAG_NAME, "body").get_attribute("class")
    # Text can grow to 30 pt (40 px) and beyond.
    for _ in range(3):
        press(phone_zh, "button[value=bigger]")
    big = phone_zh.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert big >= 40
    assert phone_zh.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    # Back to normal for the other tests.
    for _ in range(3):
        press(phone_zh, "button[value=smaller]")
    press(phone_zh, "[data-test=elder-toggle]")
    assert "elder" not in phone_zh.find_element(By.TAG_NAME, "body").get_attribute("class")


def test_high_contrast_mode(phone_zh, base_url):
    sign_in(phone_zh, base_url, phone="13900000003")
    press(phone_zh, "button[value=contrast]")
    style = phone_zh.execute_script(
        "const s = getComputedStyle(document.body); return [s.color, s.backgroundColor]")
    assert contrast(style[0], style[1]) >= 7
    press(phone_zh, "button[value=contrast]")


def test_operator_console_on_a_phone(phone_zh, base_url):
    sign_in(phone_zh, base_url, phone="13800000000")
    phone_zh.get(base_url + "/console")
    click_and_wait(phone_zh, phone_zh.find_element(By.LINK_TEXT, "礼嘉智慧小区"))
    text = phone_zh.find_element(By.TAG_NAME, "body").text
    assert "480" in text  # households
    assert phone_zh.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_elder_mode_chosen_before_sign_in_is_kept(phone_zh, base_url):
    phone_zh.get(base_url + "/login")
    press(phone_zh, "[data-test=elder-toggle]")
    assert "elder" in phone_zh.find_element(By.TAG_NAME, "body").get_attribute("class")
    # The login page itself meets the large-text rule in elder mode.
    assert phone_zh.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)") >= 24
    phone_zh.find_element(By.ID, "phone").send_keys("13900000002")
    phone_zh.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(phone_zh, phone_zh.find_element(By.ID, "login-submit"))
    body = phone_zh.find_element(By.TAG_NAME, "body")
    assert "李秀英" in body.text and "elder" in body.get_attribute("class")
    press(phone_zh, "[data-test=elder-toggle]")
