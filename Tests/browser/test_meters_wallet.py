"""Water, power, bills and the recycling bin in a real browser against the running demo: the owner of
1栋101 reads the home's use on a phone and pays last month's bill online with the keyboard alone; the
service desk records a cash payment with the keyboard; the recycling bin's screen is set up with its
token and used with a keypad (digits, Enter, the arrow keys): phone and PIN, today's price of the
chosen box before its door opens, and the weighing the bin then reports lands in the wallet."""
import json
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver
from test_resident import sign_in, wait_for_new_page

STAFF = "13800000001"
BIN_TOKEN = "demo-device-27"  # 中心广场回收箱


def active(driver):
    return driver.switch_to.active_element


def body(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def fits(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def tab_to(driver, matches, limit=80):
    """Presses Tab until the focused element matches; the element."""
    for _ in range(limit):
        element = active(driver)
        if matches(element):
            return element
        element.send_keys(Keys.TAB)
    raise AssertionError("never reached by Tab")


def test_resident_reads_use_and_pays_the_bill_online_with_the_keyboard(phone_zh, base_url):
    sign_in(phone_zh, base_url)
    phone_zh.get(base_url + "/usage")
    text = body(phone_zh)
    assert "1栋 101" in text and "本月至今" in text and "上月" in text and "m³" in text
    assert phone_zh.find_elements(By.CSS_SELECTOR, "svg.chart rect"), "the days are drawn"
    assert fits(phone_zh)
    # To electricity with the keyboard: Tab to the link, Enter.
    link = tab_to(phone_zh, lambda e: e.get_attribute("href", ) and e.get_attribute("href").endswith("kind=electricity"))
    wait_for_new_page(phone_zh, lambda: link.send_keys(Keys.ENTER))
    assert "kWh" in body(phone_zh) and fits(phone_zh)

    # The bills: last month's is still open in the demo; Tab to its button and pay with Enter.
    phone_zh.get(base_url + "/bills")
    lines = tab_to(phone_zh, lambda e: e.tag_name == "summary")
    lines.send_keys(Keys.ENTER)  # the newest bill's lines open
    text = body(phone_zh)
    assert "物业费" in text and "水费" in text and "第1档" in text
    button = tab_to(phone_zh, lambda e: e.tag_name == "button" and (e.get_attribute("id") or "").startswith("pay-"))
    period = button.get_attribute("id")[4:]
    wait_for_new_page(phone_zh, lambda: button.send_keys(Keys.ENTER))
    text = body(phone_zh)
    assert "已支付" in text and "收据号 R" in text
    bill = phone_zh.find_element(By.ID, "bill-" + period).text
    assert "已付清" in bill and fits(phone_zh)


def test_the_desk_records_a_cash_payment_with_the_keyboard(base_url):
    driver = make_driver(width=1280, height=900)
    try:
        sign_in(driver, base_url, phone=STAFF)
        driver.get(base_url + "/console")
        community = driver.find_element(By.CSS_SELECTOR, "a[href^='/console/']").get_attribute("href").split("/")[4]
        driver.get(f"{base_url}/console/{community}/billing")
        assert "欠费" in body(driver) and "未付账单" in body(driver)
        first = driver.find_element(By.CSS_SELECTOR, "ol.calls li.call")
        home = first.text.split(" · ")[0]
        amount = tab_to(driver, lambda e: e.get_attribute("name") == "amount")
        amount.send_keys("100")
        amount.send_keys(Keys.TAB)
        channel = active(driver)
        assert channel.tag_name == "select"
        channel.send_keys(Keys.ARROW_DOWN)  # 现金 → 刷卡
        channel.send_keys(Keys.TAB)
        assert active(driver).tag_name == "button"
        wait_for_new_page(driver, lambda: active(driver).send_keys(Keys.ENTER))
        text = body(driver)
        assert "已收款 ¥100.00，收据号 R" in text, text[:400]
        # The home still owes the rest of it: ¥100 less than before.
        assert home in text
    finally:
        driver.quit()


def api(base_url, method, path, data, token):
    request = urllib.request.Request(base_url + path, method=method, data=json.dumps(data).encode())
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_bins_screen_works_with_a_keypad(base_url):
    screen = make_driver(width=800, height=1280)
    try:
        screen.get(base_url + "/kiosk/recycling")
        if screen.find_elements(By.ID, "token"):
            token = active(screen)
            assert token.get_attribute("id") == "token"
            token.send_keys(BIN_TOKEN)
            wait_for_new_page(screen, lambda: token.send_keys(Keys.ENTER))
        assert "今日回收价" in body(screen) and "纸类" in body(screen)
        # The phone number, then Enter: the PIN is still missing, so the form asks for it there.
        phone = active(screen)
        assert phone.get_attribute("id") == "phone"
        phone.send_keys("139000000019")  # one digit too many: the field takes eleven
        phone.send_keys(Keys.BACKSPACE)
        phone.send_keys("1")
        phone.send_keys(Keys.ENTER)
        pin = active(screen)
        assert pin.get_attribute("id") == "pin"
        pin.send_keys("1357")
        wait_for_new_page(screen, lambda: pin.send_keys(Keys.ENTER))
        assert "手机号或密码不对" in body(screen)
        phone = active(screen)
        assert phone.get_attribute("id") == "phone"
        phone.send_keys("13900000001")
        phone.send_keys(Keys.TAB)
        active(screen).send_keys("2468")
        wait_for_new_page(screen, lambda: active(screen).send_keys(Keys.ENTER))
        assert "王*华，您好" in body(screen)
        # The boxes: the first has the focus; the arrow keys go down to paper, whose price is shown.
        choice = active(screen)
        assert choice.get_attribute("type") == "radio"
        for _ in range(4):
            active(screen).send_keys(Keys.ARROW_DOWN)
        chosen = active(screen)
        assert chosen.get_attribute("value") == "paper" and chosen.is_selected()
        label = chosen.find_element(By.XPATH, "..").text
        assert "纸类" in label and "/公斤" in label
        price = label.split("·")[1].strip()
        wait_for_new_page(screen, lambda: chosen.send_keys(Keys.ENTER))
        opened = screen.find_element(By.ID, "opened")
        assert "纸类投递口已打开" in opened.text and price in opened.text
        # The bin weighs 1.5 kg of paper and reports it: the wallet is credited at that price.
        session = opened.get_attribute("data-session")
        event = f"browser-{time.time_ns()}"
        credited = api(base_url, "POST", "/api/v1/devices/recycling/weighings",
                       {"sessionID": session, "eventId": event, "box": "paper", "grossGrams": 1800,
                        "tareGrams": 300, "netGrams": 1500, "scaleID": "scale-1"}, BIN_TOKEN)
        fen = round(1.5 * float(price.lstrip("¥").split("/")[0]) * 100)
        assert credited["creditedFen"] == fen
        again = api(base_url, "POST", "/api/v1/devices/recycling/weighings",
                    {"sessionID": session, "eventId": event, "box": "paper", "grossGrams": 1800,
                     "tareGrams": 300, "netGrams": 1500, "scaleID": "scale-1"}, BIN_TOKEN)
        assert again == credited
        # Done: back to the start for the next person, with the focus on the phone number.
        done = screen.find_element(By.ID, "done")
        wait_for_new_page(screen, lambda: done.send_keys(Keys.ENTER))
        assert active(screen).get_attribute("id") == "phone"
        # Every target of the screen is finger-sized (60 × 60 px), nothing wider than the screen.
        small = screen.execute_script(
            "return [...document.querySelectorAll('.kiosk button, .kiosk input:not([type=hidden]), .kiosk a')]"
            ".map(e => e.getBoundingClientRect()).filter(r => r.width < 59.5 || r.height < 59.5).length")
        assert small == 0 and fits(screen)
    finally:
        screen.quit()
