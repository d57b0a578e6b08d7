"""Screenshots of the dashboard's main views into docs/img/, with headless Chromium.

    python docs/make_screenshots.py
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By

from covsim.dashboard.app import create_app

PORT = 8059
OUT = Path(__file__).parent / "img"


def wait_text(driver, css: str, text: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in driver.find_element(By.CSS_SELECTOR, css).text:
            return
        time.sleep(0.2)
    raise TimeoutError(f"{css} never showed {text!r}")


def main() -> None:
    app = create_app()
    threading.Thread(target=lambda: app.run(port=PORT, debug=False), daemon=True).start()
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,2200"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        time.sleep(2)
        driver.get(f"http://127.0.0.1:{PORT}")
        wait_text(driver, "#probability", "lần mô phỏng")
        time.sleep(2)
        driver.save_screenshot(str(OUT / "dashboard_vi.png"))
        driver.find_element(By.CSS_SELECTOR, "#lang input[value='en']").click()
        wait_text(driver, "#probability", "draws")
        time.sleep(2)
        driver.save_screenshot(str(OUT / "dashboard_en.png"))
    finally:
        driver.quit()
    print(f"written: {OUT / 'dashboard_vi.png'}, {OUT / 'dashboard_en.png'}")


if __name__ == "__main__":
    main()
