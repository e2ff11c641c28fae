"""Browser tests: a real Chromium (Debian's chromium + chromium-driver) against a running `linli demo`.

LINLI_URL names the server (default http://127.0.0.1:8080)."""
import os

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


@pytest.fixture(scope="session")
def base_url():
    return os.environ.get("LINLI_URL", "http://127.0.0.1:8080").rstrip("/")


def make_driver(width=412, height=915, lang="zh-CN"):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                f"--lang={lang}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


@pytest.fixture
def phone_zh():
    driver = make_driver(lang="zh-CN")
    yield driver
    driver.quit()


@pytest.fixture
def phone_en():
    driver = make_driver(lang="en-US")
    yield driver
    driver.quit()
