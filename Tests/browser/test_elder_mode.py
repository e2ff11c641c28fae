"""Elder mode (适老化) on every resident page, old and new: with the elderly resident signed in and elder
mode on, every visible target (link, button, field, summary) is at least 60 × 60 px, the text at least
18 px, nothing is wider than the phone, and every Tab stop lands on a target with a visible focus —
never on the page's body. The sign-in page is checked signed out."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from test_resident import press, sign_in

ELDER = "13900000002"
PAGES = ["/", "/me", "/access", "/requests", "/notices", "/services", "/security", "/care", "/usage", "/usage?kind=electricity",
         "/bills", "/wallet", "/events", "/applications", "/courses", "/ask", "/me/tv"]

TARGETS = """
return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')]
  .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('[hidden]')
                        && !e.classList.contains('skip') && !e.closest('.visually-hidden'); })
  .map(e => { const r = e.getBoundingClientRect();
              return [e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
                      r.width, r.height]; })
"""

FOCUS = """
const e = document.activeElement; const s = getComputedStyle(e);
return [e === document.body || e === null, e.tagName + (e.id ? '#' + e.id : ''),
        s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 || (s.boxShadow && s.boxShadow !== 'none')]
"""


def elder_on(driver):
    if "elder" not in driver.find_element(By.TAG_NAME, "body").get_attribute("class"):
        press(driver, "[data-test=elder-toggle]")
    assert "elder" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")


def audit(driver, path):
    small = [f"{label}: {w:.0f}×{h:.0f}" for label, w, h in driver.execute_script(TARGETS)
             if w < 59.5 or h < 59.5]
    font = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    # Tab around the page twice: every stop shows its focus, and every target is reached (the walk may
    # pass the document's body only where the focus leaves the page for the browser and comes back).
    tabbable = driver.execute_script(
        "return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]"
        ".filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0"
        " && getComputedStyle(e).visibility !== 'hidden'"
        " && !(e.closest('details:not([open])') && !e.closest('summary'))"
        # A radio group is one Tab stop (the arrow keys move inside it): its checked radio, or its first.
        " && !(e.type === 'radio' && !(e.checked || (!e.form.querySelector(`input[name='${e.name}']:checked`)"
        " && e.form.querySelector(`input[name='${e.name}']`) === e))))"
        ".map((e, i) => { e.dataset.stop = i; return i; }).length")
    stops, reached, bodies = [], set(), 0
    for _ in range(2 * tabbable + 4):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        on_body, name, visible = driver.execute_script(FOCUS)
        if on_body:
            bodies += 1
            continue
        reached.add(driver.execute_script("return document.activeElement.dataset.stop || document.activeElement.tagName"))
        if not visible:
            stops.append(f"{name} shows no focus")
    if len(reached) < tabbable:
        stops.append(f"only {len(reached)} of {tabbable} targets reached by Tab")
    if bodies > 3:
        stops.append(f"the focus fell on the body {bodies} times in two rounds")
    return [f"{path}: {s}" for s in small] + ([f"{path}: text {font}px"] if font < 18 else []) \
        + ([f"{path}: wider than the phone"] if wide else []) + [f"{path}: tab stop {s}" for s in stops]


def test_every_resident_page_in_elder_mode(phone_zh, base_url):
    problems = []
    phone_zh.get(base_url + "/login")
    elder_on(phone_zh)
    problems += audit(phone_zh, "/login")
    sign_in(phone_zh, base_url, phone=ELDER)
    elder_on(phone_zh)
    try:
        for path in PAGES:
            phone_zh.get(base_url + path)
            problems += audit(phone_zh, path)
    finally:
        phone_zh.get(base_url + "/")
        press(phone_zh, "[data-test=elder-toggle]")
    assert not problems, "\n".join(problems)
