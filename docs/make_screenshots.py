"""Screenshots of the dashboard's main views into docs/img/dashboard_*.png, with headless Chromium.

    python docs/make_screenshots.py

Starts `covsim dashboard` on a free loopback port in its own process, drives it with selenium and
saves: the fan chart with the probability (Vietnamese, national), the groups and budget views, Lai
Châu's districts (plan beside the model's allocation), the scenario comparison, the levers (the
drive in the planner's units), the page in English, the page as it prints (print media) and the
social-insurance (BHXH) view, and the nation as of 2013.
"""
from __future__ import annotations

import time
from pathlib import Path

from selenium import webdriver

from covsim.dashboard import process
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

OUT = Path(__file__).parent / "img"


def browser(width: int = 1400, height: int = 1000) -> webdriver.Chrome:
    return webdriver.Chrome(options=process.chromium_options(f"--window-size={width},{height}", "--hide-scrollbars"))


def key(driver) -> str:
    return driver.execute_script("var e = document.getElementById('result-key'); return e ? e.textContent : ''")


def wait_new(driver, before: str = "", timeout: float = 90) -> str:
    """Wait for a result newer than `before`, then for the page to settle (no run, same key 2 s)."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        k = key(driver)
        running = driver.execute_script("var e = document.getElementById('running');"
                                        "return !!e && e.style.display === 'block'")
        if k != last or running:
            last, since = k, time.time()
        elif k and k != before and time.time() - since > 2:
            return k
        time.sleep(0.2)
    raise TimeoutError("no result")


def shoot(driver, css: str, name: str) -> Path:
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", element)
    time.sleep(0.5)
    path = OUT / f"dashboard_{name}.png"
    element.screenshot(str(path))
    return path


def card(n: int) -> str:
    """The n-th card of the results (fan, groups, districts, budget, comparison)."""
    return f"#results > div:nth-of-type({n})"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    port = process.free_port()
    proc = process.start(port)
    driver = browser()
    written = []
    try:
        driver.get(f"http://127.0.0.1:{port}")
        k = wait_new(driver)
        driver.set_window_size(1400, 1000)
        driver.save_screenshot(str(OUT / "dashboard_overview.png"))
        written.append(OUT / "dashboard_overview.png")
        # Lai Chau's plan: districts and the comparison with the plain national policy.
        driver.find_element(By.CSS_SELECTOR, "#region").click()
        time.sleep(0.5)
        next(o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option, [role='option']")
             if o.text == "Lai Châu").click()
        k = wait_new(driver, k)
        driver.find_element(By.CSS_SELECTOR, "#scenario").click()
        time.sleep(0.5)
        next(o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option, [role='option']")
             if o.text.startswith("Kế hoạch BHYT toàn dân tỉnh Lai Châu")).click()
        k = wait_new(driver, k)
        for path, value in (("state_share__household", "50"), ("drive", "1")):  # a share and a drive strength
            box = driver.find_element(By.CSS_SELECTOR, f'input[id*=\'"path":"{path}"\']')
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.BACKSPACE)
            box.send_keys(value, Keys.ENTER)
            k = wait_new(driver, k)
        written.append(shoot(driver, "#controls", "levers"))  # the levers in the planner's units
        for n, name in ((1, "fan"), (2, "groups"), (3, "districts"), (4, "budget"), (5, "comparison")):
            written.append(shoot(driver, card(n), name))
        driver.find_element(By.CSS_SELECTOR, "#lang input[value='en']").click()
        time.sleep(3)
        written.append(shoot(driver, card(1), "fan_en"))
        driver.find_element(By.CSS_SELECTOR, "#lang input[value='vi']").click()
        time.sleep(3)
        # The page as Ctrl+P prints it (print media, about an A4 page's width): results only.
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.set_window_size(760, 2000)
        time.sleep(3)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(OUT / "dashboard_print.png"))
        written.append(OUT / "dashboard_print.png")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.set_window_size(1400, 1000)
        # The social-insurance view of the same province: its title, its levers, its target's source.
        driver.find_element(By.CSS_SELECTOR, "#scheme input[value='bhxh']").click()
        k = wait_new(driver, k)
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(1)
        driver.save_screenshot(str(OUT / "dashboard_bhxh.png"))
        written.append(OUT / "dashboard_bhxh.png")
        # The nation as of 2013 (a fit to the figures known then): what followed as hollow circles.
        driver.get(f"http://127.0.0.1:{port}")
        k = wait_new(driver)
        for css, value in (("#target", "80"), ("#year", "2020")):  # Decision 538's 80% by 2020 (2013)
            box = driver.find_element(By.CSS_SELECTOR, css)
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(Keys.BACKSPACE)
            box.send_keys(value, Keys.ENTER)
            k = wait_new(driver, k)
        driver.find_element(By.CSS_SELECTOR, "#until").click()
        time.sleep(0.5)
        next(o for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option, [role='option']")
             if o.text == "2013").click()
        k = wait_new(driver, k, timeout=240)
        written.append(shoot(driver, card(1), "as_of"))
    finally:
        driver.quit()
        process.stop(proc)
    print("written:", ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
