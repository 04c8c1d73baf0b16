"""Drives the spawn form in headless Chromium (Debian's chromium + chromium-driver, python3-selenium).

Usage: spawn_form.py BASE_URL SCREENSHOT_PNG
Fills the form (user, deployment, memory, cores, GPUs, minutes), starts a session, waits until it is listed as
running, keeps a screenshot, stops it and waits until it is gone. Prints 'ok' and exits 0, else exits 1.
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def main(base, screenshot):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,700"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(base + "/")
        driver.find_element(By.ID, "user").send_keys("alice")
        Select(driver.find_element(By.ID, "deployment")).select_by_value("sandbox")
        for field, value in (("memory", "1"), ("cores", "1"), ("gpus", "0"), ("minutes", "15")):
            element = driver.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        driver.find_element(By.ID, "start").click()
        wait.until(lambda d: any(
            "alice" in row.text and row.find_element(By.CLASS_NAME, "state").text == "running"
            for row in d.find_elements(By.CSS_SELECTOR, "tr.session")))
        driver.save_screenshot(screenshot)
        driver.find_element(By.CSS_SELECTOR, "tr.session button.stop").click()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "tr.session"))
        print("ok")
    finally:
        driver.quit()


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception as e:  # one line for the Java test's assertion message
        print("failed: %r" % (e,))
        sys.exit(1)
