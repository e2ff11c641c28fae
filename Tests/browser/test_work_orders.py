"""A request's whole life in a real browser on a phone: an elderly resident asks for her laundry to be
brought in (keyboard only), the property staff member accepts, goes and finishes it from the task list,
and the resident confirms it with a rating."""
import os
import struct
import tempfile
import time
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_resident import click_and_wait, sign_in, wait_for_new_page

RESIDENT = "13900000002"  # the elderly resident living alone
STAFF = "13800000001"  # property staff


def png(path, width=640, height=480):
    """A real PNG (a colour gradient) without any imaging library."""
    raw = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
                   for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def sign_out(driver):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "[data-test=logout]"))


def body(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def test_resident_files_staff_finishes_resident_rates(phone_zh, base_url):
    driver = phone_zh
    words = f"下雨了，请帮我收阳台的衣服 {int(time.time())}"
    sign_in(driver, base_url, RESIDENT)
    link = driver.find_element(By.ID, "to-requests")
    wait_for_new_page(driver, lambda: link.send_keys(Keys.ENTER))
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    Select(driver.find_element(By.ID, "category")).select_by_value("help_laundry")
    description = driver.find_element(By.ID, "description")
    description.send_keys(words)
    description.send_keys(Keys.TAB)
    driver.switch_to.active_element.send_keys("阳台")  # the place, reached with Tab
    photo = os.path.join(tempfile.mkdtemp(), "balcony.png")
    png(photo)
    driver.find_element(By.ID, "photo").send_keys(photo)
    # The page makes the thumbnail in the browser before sending.
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.getElementById('photo-thumb').files.length") == 1)
    button = driver.find_element(By.ID, "file-request")
    wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    assert "已提交" in body(driver) and words in body(driver)
    width = "var img = document.querySelector('img.photo'); return img && img.complete ? img.naturalWidth : 0"
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(width) > 0)
    assert driver.execute_script(width) == 320  # the stored thumbnail, not the 640 px photo
    order_url = driver.current_url
    sign_out(driver)

    sign_in(driver, base_url, STAFF)
    driver.get(base_url + "/tasks")
    assert "帮忙：收衣服" in body(driver)
    driver.get(order_url)
    for step in ("accept", "depart", "complete"):
        button = driver.find_element(By.ID, f"act-{step}")
        wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    assert "已完成，待确认" in body(driver)
    sign_out(driver)

    sign_in(driver, base_url, RESIDENT)
    driver.get(order_url)
    assert "服务怎么样" in body(driver)
    driver.find_element(By.ID, "comment").send_keys("谢谢师傅")
    button = driver.find_element(By.ID, "rate")
    wait_for_new_page(driver, lambda: button.send_keys(Keys.ENTER))
    text = body(driver)
    assert "已确认" in text and "★★★★★ 谢谢师傅" in text
    assert "接单" in text and "完成" in text  # every step in the timeline
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
