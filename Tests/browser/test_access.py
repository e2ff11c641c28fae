"""The resident's gate page on a phone: the rotating code is a real QR (SVG), consent is given with the
keyboard alone, and nothing is wider than the screen."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_resident import sign_in, wait_for_new_page

RESIDENT = "13900000003"  # 周杰, so the other browser tests' household stays as it was


def test_gate_page_with_keyboard_on_a_phone(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, RESIDENT)
    link = driver.find_element(By.ID, "to-access")
    wait_for_new_page(driver, lambda: link.send_keys(Keys.ENTER))
    assert driver.find_element(By.CSS_SELECTOR, "#my-qr svg title").get_attribute("textContent") == "我的通行码"
    size = driver.execute_script("return document.querySelector('#my-qr svg').getBoundingClientRect().width")
    assert size >= 150
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "不同意不影响您使用通行码" in body
    forms = driver.find_elements(By.CSS_SELECTOR, "form[action='/access/consent']")
    if forms:
        box = forms[0].find_element(By.NAME, "agree")
        box.send_keys(Keys.SPACE)  # tick with the keyboard
        button = forms[0].find_element(By.TAG_NAME, "button")
        wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
        assert "已记录您的同意" in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_elements(By.CSS_SELECTOR, "form[action='/access/consent/withdraw']")
