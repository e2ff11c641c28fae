"""The assistant and the kiosk in the browser: the demo resident asks on /ask with the keyboard alone (a
question typed, then a common question) at 200 % text size and reads the answer with its source; the
hall's kiosk is set up with its token, signs a resident in by access card and by phone and PIN in big text,
and after a minute without input shows its countdown and signs out by itself, leaving nothing personal."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver
from test_events import tab_to
from test_resident import sign_in, wait_for_new_page
from test_services_notices import fits

RESIDENT = "13900000001"
KIOSK_TOKEN = "demo-device-34"


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def test_a_resident_asks_with_the_keyboard_and_reads_the_source(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, RESIDENT)
    driver.get(base_url + "/ask")
    assert fits(driver)
    question = driver.find_element(By.ID, "qa-question")
    tab_to(driver, question)
    question.send_keys("物业费一平方米多少钱")
    ask = driver.find_element(By.CSS_SELECTOR, "form.ask-form button.primary")
    tab_to(driver, ask)
    wait_for_new_page(driver, lambda: ask.send_keys(Keys.ENTER))
    text = main_text(driver)
    assert "答案如下" in text and "2.50" in text and "出处" in text, text
    assert driver.find_elements(By.CSS_SELECTOR, ".answer mark"), "the question's words are marked"
    # Not helpful, by keyboard: the answer stays, the thanks changes.
    no = driver.find_element(By.CSS_SELECTOR, "button[name=helpful][value=no]")
    tab_to(driver, no)
    wait_for_new_page(driver, lambda: no.send_keys(Keys.ENTER))
    assert driver.find_element(By.CSS_SELECTOR, "button[name=helpful][value=no]").get_attribute("aria-pressed") == "true"
    # A common question, chosen with Tab and Enter.
    driver.get(base_url + "/ask")
    common = [b for b in driver.find_elements(By.CSS_SELECTOR, "button.common-question") if "低保" in b.text][0]
    tab_to(driver, common)
    wait_for_new_page(driver, lambda: common.send_keys(Keys.ENTER))
    assert "户口簿" in main_text(driver)
    # Far from everything: not sure, and a person is one press away.
    driver.get(base_url + "/ask")
    question = driver.find_element(By.ID, "qa-question")
    question.send_keys("火星上能种土豆吗")
    wait_for_new_page(driver, lambda: question.find_element(By.XPATH, "ancestor::form").submit())
    assert "不太确定" in main_text(driver)
    handoff = driver.find_element(By.CSS_SELECTOR, "form[action$='/handoff'] button")
    tab_to(driver, handoff)
    wait_for_new_page(driver, lambda: handoff.send_keys(Keys.ENTER))
    assert "已交给社区工作人员" in main_text(driver)


def sizes_ok(driver):
    """The kiosk's text is at least 24 px and every target at least 60 × 60 px."""
    font = driver.execute_script("return parseFloat(getComputedStyle(document.querySelector('main p, main label')).fontSize)")
    small = driver.execute_script(
        """return [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), header a, header button')]
             .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.width < 59.5 || r.height < 59.5); })
             .map(e => e.tagName + ' ' + (e.textContent || e.name).trim().slice(0, 20))""")
    return font >= 24, small


def test_the_kiosk_signs_in_by_card_and_by_pin_and_signs_out_by_itself(base_url):
    driver = make_driver(1080, 1920)
    try:
        driver.get(base_url + "/kiosk")
        if driver.find_elements(By.ID, "kiosk-token"):
            token = driver.find_element(By.ID, "kiosk-token")
            token.send_keys(KIOSK_TOKEN)
            wait_for_new_page(driver, lambda: token.send_keys(Keys.ENTER))
        code = driver.find_element(By.ID, "kiosk-code")
        big, small = sizes_ok(driver)
        assert big and not small, small
        # The card reader types the card's number and Enter into the focused field.
        assert driver.switch_to.active_element == code
        wait_for_new_page(driver, lambda: code.send_keys("DEMO-CARD-1", Keys.ENTER))
        assert "您好" in main_text(driver)
        big, small = sizes_ok(driver)
        assert big and not small, small
        sign_out = driver.find_element(By.CSS_SELECTOR, "[data-test=kiosk-sign-out]")
        wait_for_new_page(driver, lambda: sign_out.send_keys(Keys.ENTER))
        assert driver.find_elements(By.ID, "kiosk-code") and "您好" not in main_text(driver)

        phone = driver.find_element(By.ID, "kiosk-phone")
        tab_to(driver, phone)
        phone.send_keys(RESIDENT)
        pin = driver.find_element(By.ID, "kiosk-pin")
        pin.send_keys("2468")
        wait_for_new_page(driver, lambda: pin.send_keys(Keys.ENTER))
        assert "您好，王*华" in main_text(driver)
        ask = driver.find_element(By.CSS_SELECTOR, ".kiosk-tiles a[href='/ask']")
        tab_to(driver, ask)
        wait_for_new_page(driver, lambda: ask.send_keys(Keys.ENTER))
        assert "王建华" in driver.find_element(By.TAG_NAME, "header").text

        # No input: the countdown shows after 50 s; at its end the kiosk signs out by itself.
        started = time.time()
        WebDriverWait(driver, 70, poll_frequency=0.5).until(lambda d: d.find_element(By.ID, "idle").is_displayed())
        assert 45 <= time.time() - started <= 60
        seconds = int(driver.find_element(By.ID, "idle-seconds").text)
        assert 1 <= seconds <= 10
        WebDriverWait(driver, 20, poll_frequency=0.5).until(lambda d: d.find_elements(By.ID, "kiosk-code"))
        assert "王建华" not in driver.page_source and "王*华" not in driver.page_source
        driver.back()
        assert "王建华" not in driver.find_element(By.TAG_NAME, "body").text
    finally:
        driver.quit()
