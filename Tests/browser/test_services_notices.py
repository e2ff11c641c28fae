"""Services and notices on a phone at 200 % text size, with the keyboard alone: a resident books a
laundry machine, cancels it, and reads the community's pinned notice."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_resident import sign_in, wait_for_new_page

RESIDENT = "13900000003"


def fits(driver):
    """At 200 % text size (the browser's text setting doubles the root size), nothing is wider than the
    phone."""
    driver.execute_script("document.documentElement.style.fontSize = '200%'")
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_book_cancel_and_read_at_double_text_size(phone_zh, base_url):
    driver = phone_zh
    sign_in(driver, base_url, RESIDENT)
    tomorrow = (datetime.datetime.utcnow() + datetime.timedelta(hours=8, days=1)).strftime("%Y-%m-%d")
    driver.get(f"{base_url}/services?day={tomorrow}")
    assert fits(driver) and "洗衣房洗衣机" in driver.find_element(By.TAG_NAME, "body").text
    card = [c for c in driver.find_elements(By.CSS_SELECTOR, "section.service") if "洗衣房洗衣机" in c.text][0]
    time_select = card.find_element(By.TAG_NAME, "select")
    time_select.send_keys(Keys.END)  # the last free time, chosen with the keyboard
    button = card.find_element(By.CSS_SELECTOR, "button.primary")
    wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "已预约。" in text and "洗衣房洗衣机" in text and fits(driver)
    cancel = driver.find_element(By.CSS_SELECTOR, "form[action$='/cancel'] button")
    wait_for_new_page(driver, lambda: cancel.send_keys(Keys.ENTER))
    assert "已取消" in driver.find_element(By.TAG_NAME, "body").text

    driver.get(base_url + "/notices")
    assert fits(driver)
    link = driver.find_element(By.PARTIAL_LINK_TEXT, "水箱清洗")
    wait_for_new_page(driver, lambda: link.send_keys(Keys.ENTER))
    assert "请提前储水" in driver.find_element(By.TAG_NAME, "body").text and fits(driver)
