"""An automated WCAG 2.1 AA audit (axe-core, run in the real Chromium) of every resident page, the
community-life pages (events, a ticket, the check-in page) and the console's events, applications (and
one application), pensioners and courses tabs: no serious or critical finding."""
import os

import axe_core_python
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import make_driver

from test_elder_mode import PAGES
from test_resident import sign_in

AXE = open(os.path.join(os.path.dirname(axe_core_python.__file__), "axe.min.js"), encoding="utf-8").read()
RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
  .catch(e => done(['axe failed: ' + e]));
"""


def audit(driver, base_url, path):
    driver.get(base_url + path)
    driver.set_script_timeout(60)
    driver.execute_script(AXE)
    return [f"{path}: {v}" for v in driver.execute_async_script(RUN)]


def links(driver, css):
    return [e.get_attribute("href") for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_resident_pages_pass_the_audit(phone_zh, base_url):
    sign_in(phone_zh, base_url, "13900000001")
    problems = []
    for path in PAGES:
        problems += audit(phone_zh, base_url, path)
    phone_zh.get(base_url + "/events")
    ticket = links(phone_zh, "a[href$='/ticket']")
    assert ticket, "the demo resident holds a ticket"
    problems += audit(phone_zh, base_url, ticket[0].replace(base_url, ""))
    # An answer of the assistant, with its marks and sources.
    phone_zh.get(base_url + "/ask")
    question = phone_zh.find_element(By.ID, "qa-question")
    question.send_keys("物业费可以不交吗")
    question.find_element(By.XPATH, "ancestor::form").submit()
    WebDriverWait(phone_zh, 10).until(lambda d: "/ask/" in d.current_url)
    problems += audit(phone_zh, base_url, phone_zh.current_url.replace(base_url, ""))
    assert not problems, "\n".join(problems)


def test_the_kiosk_screens_pass_the_audit(base_url):
    driver = make_driver(1080, 1920)
    try:
        driver.get(base_url + "/kiosk")
        problems = audit(driver, base_url, "/kiosk")
        if driver.find_elements(By.ID, "kiosk-token"):
            driver.find_element(By.ID, "kiosk-token").send_keys("demo-device-34", Keys.ENTER)
            WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "kiosk-code"))
            problems += audit(driver, base_url, "/kiosk")
        driver.find_element(By.ID, "kiosk-code").send_keys("DEMO-CARD-2", Keys.ENTER)
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".kiosk-tiles"))
        problems += audit(driver, base_url, "/kiosk")
        problems += audit(driver, base_url, "/ask")
        driver.find_element(By.CSS_SELECTOR, "[data-test=kiosk-sign-out]").click()
        assert not problems, "\n".join(problems)
    finally:
        driver.quit()


def test_console_events_and_the_check_in_page_pass_the_audit(phone_zh, base_url):
    sign_in(phone_zh, base_url, "13800000003")
    phone_zh.get(base_url + "/console")
    console = links(phone_zh, "a[href^='/console/'], a[href*='/console/']")[0].replace(base_url, "").split("/")[2]
    problems = audit(phone_zh, base_url, f"/console/{console}/events")
    event = links(phone_zh, "td a[href*='/events/']")[0].replace(base_url, "")
    door = links(phone_zh, "a[href$='/door']")[0].replace(base_url, "")
    problems += audit(phone_zh, base_url, event)
    problems += audit(phone_zh, base_url, door)
    problems += audit(phone_zh, base_url, f"/console/{console}/applications")
    application = links(phone_zh, "td a[href*='/applications/']")[0].replace(base_url, "")
    problems += audit(phone_zh, base_url, application)
    problems += audit(phone_zh, base_url, f"/console/{console}/pensioners?due=overdue")
    problems += audit(phone_zh, base_url, f"/console/{console}/courses")
    problems += audit(phone_zh, base_url, f"/console/{console}/questions")
    assert not problems, "\n".join(problems)
