"""The dashboard in headless Chromium (Debian's chromium and chromium-driver; .ci/run installs them).

`dash_duo` here is dash[testing]'s browser composite over its process runner rather than its thread
runner: every test starts the real `covsim dashboard` in a fresh process, as a user would. (A
thread inside this test process would fork its background workers from a process whose numba
already runs GNU OpenMP, which kills them; a fresh process picks a fork-safe threading layer.)
"""
from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from covsim.dashboard import fields, i18n, process

CHROME = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(shutil.which("chromedriver") is None or CHROME is None,
                                reason="Chromium and chromedriver are absent (apt-get install chromium chromium-driver)")
DRAWS = 200  # the dashboard's default


@pytest.fixture
def dash_duo(request, dash_process_server, tmpdir):
    from dash.testing.composite import DashComposite

    with DashComposite(server=dash_process_server, browser=request.config.getoption("webdriver"),
                       remote=request.config.getoption("remote"), remote_url=request.config.getoption("remote_url"),
                       headless=request.config.getoption("headless"),
                       options=request.config.hook.pytest_setup_options(),
                       download_path=tmpdir.mkdir("download").strpath,
                       percy_assets_root=request.config.getoption("percy_assets"),
                       percy_finalize=request.config.getoption("nopercyfinalize"),
                       pause=request.config.getoption("pause")) as dc:
        yield dc
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:  # what the page showed when the test gave up
            print("--- the page when the test failed ---")
            print(dc.driver.execute_script(PAGE_STATE))


#: The boxes' values, the messages beside them and the answer's key and texts, one per line.
PAGE_STATE = r"""
var out = [];
document.querySelectorAll('input[id]').forEach(function (e) { if (e.value) out.push(e.id + ' = ' + e.value); });
document.querySelectorAll('[id*="field-error"]').forEach(function (e) { if (e.textContent) out.push(e.id + ': ' + e.textContent); });
['result-key', 'error', 'stale-note', 'headline', 'probability'].forEach(function (k) {
    var e = document.getElementById(k); out.push(k + ': ' + (e ? e.textContent : '(absent)')); });
var r = document.getElementById('running'); out.push('running: ' + (r ? getComputedStyle(r).display : '(absent)'));
return out.join('\n');
"""


@pytest.fixture
def app(request, tmp_path):
    """How to start the app: `covsim dashboard` on a free loopback port, its output to a file.

    dash[testing]'s process runner pipes the server's stdout and stderr and reads neither until
    it stops: once about 64 KiB of output fill the pipe (some 830 request lines), the server
    blocks on its next write and the page waits until the test times out (shown by experiment:
    request 829 went unanswered). A background job's 10-a-second polling on a slow machine could
    get there within one test. The file's end is printed when a test fails."""
    port = process.free_port()
    log = tmp_path / "dashboard.log"
    command = f"exec {shlex.quote(sys.executable)} -m covsim.cli.main dashboard --port {port} >{shlex.quote(str(log))} 2>&1"
    yield {"raw_command": f"sh -c {shlex.quote(command)}", "port": port, "start_timeout": 90}
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and log.exists():
        print(f"--- the last of covsim dashboard's output ({log.stat().st_size} bytes) ---")
        print(log.read_text(encoding="utf-8", errors="replace")[-4000:])


def _start(duo, app) -> None:
    duo.start_server(None, **app)
    assert duo.server.started, "covsim dashboard did not start"


def _wait(predicate, timeout=60.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - element not there yet
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _key(duo) -> str:
    return duo.driver.execute_script("return document.getElementById('result-key').textContent")


def _result(duo, before: str | None = None, timeout: float = 60.0) -> str:
    """Wait for a result newer than `before` to be shown; return its key."""
    return _wait(lambda: (k := _key(duo)) and k != before and k, timeout, what="a new result")


def _lever(duo, path: str):
    return duo.driver.find_element(By.CSS_SELECTOR, f'input[id*=\'"path":"{path.replace(".", "__")}"\']')


def _type(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text, Keys.ENTER)


def _pick_region(duo, label: str) -> None:
    _pick(duo, "#region", label)


def _pick(duo, css: str, label: str) -> None:
    duo.driver.find_element(By.CSS_SELECTOR, css).click()
    option = _wait(lambda: next((o for o in duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option, "
                                                                      "[role='option']") if o.text == label), None),
                   10, f"option {label} of {css}")
    option.click()


def _probability(dash_duo) -> str:
    """The probability as the page prints it: the first line of its box (its Monte Carlo error and,
    on the priors, a warning follow under it)."""
    return dash_duo.find_element("#probability").text.splitlines()[0]


def _shown(text: str) -> float:
    """A probability as the page prints it ('37%', '<1%', '>99%'), in percent ('<1%' is 0.5)."""
    number = float(text.strip().lstrip("<>").rstrip("%").replace(",", "."))
    return number - 0.5 if text.startswith("<") else number + 0.5 if text.startswith(">") else number


def test_loads_without_errors_and_a_lever_moves_the_probability(dash_duo, app):
    _start(dash_duo, app)
    key = _result(dash_duo)
    assert "%" in _probability(dash_duo)
    assert dash_duo.find_element("#error").text == ""
    assert dash_duo.get_logs() == []
    _pick_region(dash_duo, "Lai Châu")
    _wait(lambda: "Lai Châu" in dash_duo.find_element("#scenario").text, 20, "the Lai Chau baseline")
    key = _result(dash_duo, key)
    _wait(lambda: "96,80%" in dash_duo.find_element("#headline").text, 30, "Lai Chau's target")
    key = _wait(lambda: _key(dash_duo) if "96,80%" in dash_duo.find_element("#headline").text else None)
    before = _probability(dash_duo)
    for group in ("household", "farm_household", "near_poor"):
        _type(_lever(dash_duo, f"state_share.{group}"), "100")
    _wait(lambda: _probability(dash_duo) != before, 60, "the probability to change")
    after = _probability(dash_duo)
    assert _shown(after) > _shown(before)
    # Reset to the baseline brings the first answer back.
    dash_duo.find_element("#reset").click()
    _wait(lambda: _probability(dash_duo) == before, 60, "the baseline's probability")
    assert dash_duo.get_logs() == []


def test_language_switch_changes_labels_and_number_formats(dash_duo, app):
    _start(dash_duo, app)
    _result(dash_duo)
    headline = dash_duo.find_element("#headline").text
    assert "Bao phủ trung vị" in headline and "95,00%" in headline
    assert dash_duo.find_element("h2").text == "Mô phỏng bao phủ bảo hiểm y tế"
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "vi"  # for screen readers
    salary = _lever(dash_duo, "base_salary")
    # in force at the end of the start year, 2026 (Decree 73/2024): the page's target is the nation's
    # latest, Resolution 20-NQ/TW's over 95% by 2030, and its levers start after the last figure, 2025
    assert salary.get_attribute("value") == "2.340.000"
    assert dash_duo.find_element("#target").get_attribute("value") == "95"
    key = _key(dash_duo)
    dash_duo.find_element("#lang input[value='en']").click()
    _wait(lambda: "Median coverage" in dash_duo.find_element("#headline").text, 30, "English headline")
    assert "95.00%" in dash_duo.find_element("#headline").text
    # the heading comes from its own callback, so it may land a moment after the headline
    _wait(lambda: dash_duo.find_element("h2").text == "Health insurance coverage simulator", 10, "English heading")
    _wait(lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == "en", 10, "lang en")
    # the boxes keep their numbers, written the English way
    _wait(lambda: _lever(dash_duo, "base_salary").get_attribute("value") == "2,340,000", 10, "the salary in English")
    assert dash_duo.find_element("#target").get_attribute("value") == "95"
    assert _key(dash_duo) == key or "95.00%" in dash_duo.find_element("#headline").text  # the same answer
    assert dash_duo.get_logs() == []


def test_bad_input_shows_a_message_and_the_page_goes_on(dash_duo, app):
    _start(dash_duo, app)
    _result(dash_duo)  # the first answer is in
    _type(dash_duo.find_element("#target"), "120")
    _wait(lambda: "không quá 100" in dash_duo.find_element("#error").text, 60, "the error message")
    beside = _box_message(dash_duo, "target")
    _wait(lambda: beside().text == "Phải lớn hơn 0 và không quá 100 (%).", 10, "the error beside the target box")
    # the box itself is marked in red, as the note over the greyed results says
    _wait(lambda: _outline(dash_duo, "target") == "rgb(176, 0, 32)", 10, "the target box marked in red")
    _wait(lambda: "opacity: 0.4" in dash_duo.find_element("#results").get_attribute("style"), 10, "stale greyed")
    assert "lần nhập hợp lệ gần nhất" in dash_duo.find_element("#stale-note").text
    _type(_lever(dash_duo, "state_share.near_poor"), "150")
    _type(dash_duo.find_element("#target"), "90")
    _wait(lambda: "Phải từ 0 đến 100 (%)" in dash_duo.find_element("#error").text, 60, "the lever's error")
    # The message beside a box comes from its own callback, after the banner's: wait for it too.
    _wait(lambda: _box_message(dash_duo, "state_share.near_poor")().text == "Phải từ 0 đến 100 (%).", 10,
          "the error beside the lever's box")
    _wait(lambda: beside().text == "", 10, "the target box's error to clear")
    assert _outline(dash_duo, "target") != "rgb(176, 0, 32)"
    _type(_lever(dash_duo, "state_share.near_poor"), "80")
    _wait(lambda: dash_duo.find_element("#error").text == "", 60, "the error to clear")
    assert "%" in _probability(dash_duo)
    _wait(lambda: "opacity" not in (dash_duo.find_element("#results").get_attribute("style") or ""), 10, "ungreyed")
    assert dash_duo.find_element("#stale-note").text == ""


def _outline(duo, box: str) -> str:
    """The outline colour around a box (its input's container), red when its value is refused."""
    return duo.driver.execute_script(f"return getComputedStyle(document.getElementById('{box}').parentElement)"
                                     ".outlineColor")


def _box_message(duo, field: str):
    """The message beside a box (its error or warning)."""
    selector = f'div[id*=\'"field":"{field.replace(".", "__")}"\']'
    return lambda: duo.driver.find_element(By.CSS_SELECTOR, selector)


def test_decimal_comma_and_a_late_lever_start(dash_duo, app):
    _start(dash_duo, app)
    key = _result(dash_duo)
    _type(dash_duo.find_element("#target"), "96,8")
    _wait(lambda: "96,80%" in dash_duo.find_element("#headline").text, 60, "96,8 read as 96.8%, not 968")
    assert dash_duo.find_element("#error").text == ""
    _type(dash_duo.find_element("#year"), "2025")
    assert _lever(dash_duo, "state_share.pupil_student").get_attribute("value") == "50"  # in force in 2026
    _type(dash_duo.find_element("#start"), "2022")  # the untouched box refills with 2022's 30%
    _wait(lambda: _lever(dash_duo, "state_share.pupil_student").get_attribute("value") == "30", 30, "2022's share")
    _type(dash_duo.find_element("#start"), "2027")
    _wait(lambda: "sau năm mục tiêu (2025)" in _box_message(dash_duo, "start")().text, 60, "the lever-start warning")
    # the untouched box now shows what is in force from 2027 (Decree 188/2025's 50%), not a change back to 30%
    _wait(lambda: _lever(dash_duo, "state_share.pupil_student").get_attribute("value") == "50", 30, "the refilled box")
    # the refilled box is a new request: once it is answered, nothing is greyed and no error shown
    _wait(lambda: dash_duo.find_element("#stale-note").text == "", 60, "the refilled box's answer")
    assert dash_duo.find_element("#error").text == ""
    dash_duo.driver.save_screenshot(str(Path(dash_duo.download_path) / "late_start.png"))
    assert dash_duo.get_logs() == []


def test_as_of_a_past_year_the_page_says_so_and_draws_what_followed(dash_duo, app):
    """The nation as of 2013: the fit in the background, the page's first words say it is as of
    then, the later figures are hollow circles, the boxes hold the policy decided by then from 2014
    (the base salary of 2013, not today's); a lever moved answers on the kept fit."""
    _start(dash_duo, app)
    key = _result(dash_duo)
    salary = _lever(dash_duo, "base_salary").get_attribute("value")
    _pick(dash_duo, "#until", "2013")
    # while the fit runs, today's answer on screen is greyed and said to be the input before's
    _wait(lambda: _greyed(dash_duo) == fields.say("pending", "vi"), 60, "the older answer greyed while the fit runs")
    _wait(lambda: "cuối năm 2013" in dash_duo.find_element("#probability").text, 180, "the answer as of 2013")
    _wait(lambda: _greyed(dash_duo) is None, 10, "the answer as of 2013 not greyed")
    assert dash_duo.find_element("#start").get_attribute("value") == "2014"
    as_of_salary = _lever(dash_duo, "base_salary").get_attribute("value")
    assert as_of_salary != salary and as_of_salary.replace(".", "").replace(",", "") == "1150000"
    assert "Quan sát sau đó (mô hình chưa biết)" in _figure(dash_duo, "#fan")["names"]
    assert dash_duo.find_element("#error").text == ""
    key = _key(dash_duo)
    before = _probability(dash_duo)
    _type(_lever(dash_duo, "state_share.household"), "100")
    _wait(lambda: _key(dash_duo) != key and "cuối năm 2013" in dash_duo.find_element("#probability").text,
          60, "the as-of answer with the lever moved")
    assert _shown(_probability(dash_duo)) >= _shown(before)
    dash_duo.driver.save_screenshot(str(Path(dash_duo.download_path) / "as_of_2013.png"))
    assert dash_duo.get_logs() == []


def _greyed(duo) -> str | None:
    """The note over the results where they are greyed (an older or invalid input's), else None."""
    style = duo.find_element("#results").get_attribute("style") or ""
    note = duo.find_element("#stale-note").text
    return note if "opacity" in style else None


def test_stopped_the_older_answer_stays_greyed_and_says_so(dash_duo, app):
    """Stop during an as-of fit: the boxes already show the policy known then, while the results are
    still today's answer; they stay greyed, said to be the input before's, and not as of that year."""
    _start(dash_duo, app)
    _result(dash_duo)
    before = _probability(dash_duo)
    _pick(dash_duo, "#until", "2012")
    _wait(lambda: _greyed(dash_duo) == fields.say("pending", "vi"), 60, "the older answer greyed while the fit runs")
    dash_duo.find_element("#stop").click()
    _wait(lambda: dash_duo.find_element("#running").value_of_css_property("display") == "none", 30, "the job stopped")
    time.sleep(1.0)  # nothing more comes
    assert _greyed(dash_duo) == fields.say("pending", "vi")
    assert "cuối năm 2012" not in dash_duo.find_element("#probability").text and _probability(dash_duo) == before
    assert dash_duo.get_logs() == []


def test_briefing_and_downloads_produce_files_that_open(dash_duo, app):
    import pandas as pd
    import xarray as xr

    _start(dash_duo, app)
    folder = Path(dash_duo.download_path)
    try:  # headless Chromium saves downloads only when told where
        dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    except Exception:  # noqa: BLE001
        pass
    _result(dash_duo)
    probability = _probability(dash_duo)

    def fetch(button: str, suffix: str) -> Path:
        dash_duo.find_element(button).click()
        return _wait(lambda: next((p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0), None), 60,
                     f"the {suffix} download")

    page = fetch("#btn-briefing", "_briefing.html").read_text(encoding="utf-8")
    assert probability in page and "@media print" in page and "data_hash" in page
    table = pd.read_csv(fetch("#btn-csv", ".csv"))
    assert len(table) == 23 and "median" in table
    time.sleep(0.5)
    sheets = pd.read_excel(fetch("#btn-xlsx", ".xlsx"), sheet_name=None)
    assert "Bao phủ theo năm" in sheets and "Chính sách và giả định" in sheets  # the page's language
    import docx

    time.sleep(0.5)
    word = docx.Document(str(fetch("#btn-docx", "_briefing.docx")))
    assert word.paragraphs[0].text.startswith("Báo cáo tóm tắt") and any(probability in p.text for p in word.paragraphs)
    time.sleep(0.5)
    assert fetch("#btn-pdf", "_briefing.pdf").read_bytes().startswith(b"%PDF")
    with xr.open_dataset(fetch("#btn-nc", ".nc")) as ds:
        assert ds.sizes["draw"] == DRAWS
    assert dash_duo.get_logs() == []


# Views that read at a glance (issue 41 item 4) ----------------------------------------------------
def _figure(duo, css: str) -> dict:
    """The data and layout plotly drew in the chart under `css` (names, axes)."""
    return duo.driver.execute_script(
        "var gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd && {names: gd.data.map(function (d) { return d.name || ''; }), layout: gd.layout};", css)


def test_observed_only_where_the_data_have_it_and_the_difference_in_its_own_panel(dash_duo, app):
    _start(dash_duo, app)
    key = _result(dash_duo)
    # National: observed coverage is in the data, so the chart draws it and the key lists it.
    assert "Số liệu thực tế (quan sát)" in _figure(dash_duo, "#fan")["names"]
    assert "quan sát" in dash_duo.find_element("#legend-note").text
    _pick_region(dash_duo, "Lai Châu")
    _result(dash_duo, key)
    _wait(lambda: "96,80%" in dash_duo.find_element("#headline").text, 60, "Lai Chau's target")
    # Lai Châu: none observed, so no observed trace and no "● quan sát" in the key.
    _wait(lambda: "chưa có số liệu quan sát" in dash_duo.find_element("#legend-note").text, 30, "Lai Chau's key")
    assert "●" not in dash_duo.find_element("#legend-note").text
    assert not any("quan sát" in n for n in _figure(dash_duo, "#fan")["names"])
    # Compared with itself and nothing changed (the page's default): a line saying so, not a card of
    # equal numbers; a lever moved, the comparison is drawn.
    _wait(lambda: dash_duo.find_element("#comparison").text == i18n.t("compare_same", "vi"), 60, "the comparison note")
    _type(_lever(dash_duo, "state_share.near_poor"), "100")
    # The comparison: coverage lines above, the difference below on its own axis, not overlaid.
    fig = _wait(lambda: _figure(dash_duo, "#comparison"), 60, "the comparison chart")
    y, y2 = fig["layout"]["yaxis"], fig["layout"]["yaxis2"]
    assert not y2.get("overlaying")
    assert max(y2["domain"]) < min(y["domain"]), (y["domain"], y2["domain"])
    assert dash_duo.get_logs() == []


def test_the_labour_views_are_labelled_for_their_scheme_with_a_sourced_target_or_none(dash_duo, app):
    _start(dash_duo, app)
    key = _result(dash_duo)
    dash_duo.find_element("#scheme input[value='bhxh']").click()
    _wait(lambda: "lực lượng lao động" in dash_duo.find_element("#headline").text, 90, "the BHXH answer")
    assert dash_duo.find_element("#page-title").text == "Mô phỏng bao phủ bảo hiểm xã hội"
    # the budget card is of the state's support of voluntary contributions: no health fund revenue
    assert dash_duo.find_element("#budget-head").text == "Ngân sách nhà nước (hỗ trợ người tham gia BHXH tự nguyện đóng)"
    _wait(lambda: "— BHXH" in dash_duo.find_element("#scenario").text, 10, "the scenario labelled BHXH")
    assert "BHYT" not in dash_duo.find_element("#scenario").text
    # The health-insurance levers mean nothing here: disabled, empty and out of sight, not a raw '25.2055'.
    for path in ("state_share.household", "local_top_up.near_poor", "base_salary", "drive"):
        box = _lever(dash_duo, path)
        _wait(lambda: not box.is_displayed(), 10, f"{path} hidden")
        assert not box.is_enabled() and box.get_attribute("value") == "", (path, box.get_attribute("value"))
    # Voluntary BHXH's own lever: the state's support by group, at the level in force at the end of
    # the lever's first year (2026, after the labour figures of 2025: Decree 159/2025's 50% / 40% / 20%).
    assert dash_duo.find_element("#start").get_attribute("value") == "2026"
    support = [_lever(dash_duo, f"voluntary_subsidy.{g}") for g in ("poor", "near_poor", "other")]
    _wait(lambda: [b.get_attribute("value") for b in support] == ["50", "40", "20"], 30, "the voluntary support")
    assert all(b.is_displayed() and b.is_enabled() for b in support)
    assert "Người tham gia tự nguyện khác" in dash_duo.find_element("#controls").text
    # The default target is the national plan's (Resolution 28-NQ/TW: 60% of the labour force, 2030).
    assert dash_duo.find_element("#target").get_attribute("value") == "60"
    assert dash_duo.find_element("#year").get_attribute("value") == "2030"
    assert "28-NQ/TW" in dash_duo.find_element("#target-source").text
    # The policy in force under BHXH is the labour laws', not the Health Insurance Law's.
    _wait(lambda: "41/2024/QH15" in dash_duo.find_element("#scenario-description").text, 10, "the BHXH laws")
    assert "25/2008/QH12" not in dash_duo.find_element("#scenario-description").text
    # BHTN: its own national target (Resolution 28-NQ/TW: 45% of the labour force by 2030; until
    # 2026-12-04 the data held none and the box stayed empty).
    key = _key(dash_duo)
    dash_duo.find_element("#scheme input[value='bhtn']").click()
    _wait(lambda: dash_duo.find_element("#page-title").text == "Mô phỏng bao phủ bảo hiểm thất nghiệp", 30, "title")
    _wait(lambda: dash_duo.find_element("#target").get_attribute("value") == "45", 30, "the BHTN target")
    assert dash_duo.find_element("#year").get_attribute("value") == "2030"
    assert "28-NQ/TW" in dash_duo.find_element("#target-source").text
    assert "— BHTN" in dash_duo.find_element("#scenario").text
    # Back to health insurance: its title, its levers and its sourced target again.
    dash_duo.find_element("#scheme input[value='bhyt']").click()
    _wait(lambda: dash_duo.find_element("#page-title").text == "Mô phỏng bao phủ bảo hiểm y tế", 30, "BHYT title")
    assert dash_duo.find_element("#budget-head").text == "Ngân sách nhà nước (và thu quỹ BHYT)"
    _wait(lambda: "95,00%" in dash_duo.find_element("#headline").text, 90, "the BHYT answer again")
    assert _lever(dash_duo, "state_share.household").is_enabled()
    assert _lever(dash_duo, "state_share.household").is_displayed()
    assert not _lever(dash_duo, "voluntary_subsidy.poor").is_displayed()
    assert "25/2008/QH12" in dash_duo.find_element("#scenario-description").text
    assert dash_duo.get_logs() == []


def _print_geometry(driver) -> dict:
    return driver.execute_script("""
        var page = document.documentElement.clientWidth, r = document.getElementById('results').getBoundingClientRect();
        var widths = Array.from(document.querySelectorAll('#results .main-svg')).map(function (s) {
            return s.getBoundingClientRect().width; });
        return {page: page, left: r.left, width: r.width, widths: widths,
                controls: getComputedStyle(document.getElementById('controls')).display,
                buttons: Array.from(document.querySelectorAll('button')).filter(function (b) {
                    return b.getBoundingClientRect().width > 0; }).length,
                toolbars: Array.from(document.querySelectorAll('.modebar-container')).filter(function (b) {
                    return getComputedStyle(b).display !== 'none'; }).length};""")


#: The printable width of A4 portrait with 12 mm margins, in CSS pixels (186 mm at 96 px per inch).
A4_WIDTH = 186 / 25.4 * 96


def test_print_shows_the_results_full_width_without_controls_or_cut_charts(dash_duo, app):
    """Print media emulated at the screen's width (printing itself fires no resize: a chart drawn
    for the 1600-px screen is cut by the 700-px page unless it is redrawn for the page)."""
    _start(dash_duo, app)
    driver = dash_duo.driver
    driver.set_window_size(1600, 1100)
    _result(dash_duo)
    _wait(lambda: _figure(dash_duo, "#budget"), 60, "the details")
    time.sleep(1)
    screen = _print_geometry(driver)
    assert max(screen["widths"]) > A4_WIDTH, screen  # the screen's charts would not fit the page
    head = dash_duo.find_element("#print-head")
    assert head.value_of_css_property("display") == "none"  # on screen the controls say it
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    time.sleep(2)
    paper = _print_geometry(driver)
    # on paper, without the controls: which province and plan, and that nothing was changed
    assert head.value_of_css_property("display") == "block"
    assert head.text.splitlines() == ["Chính sách hiện hành — Toàn quốc — BHYT",
                                      "Không thay đổi chính sách của kịch bản."], head.text
    assert paper["controls"] == "none" and paper["buttons"] == 0 and paper["toolbars"] == 0, paper
    assert paper["left"] < 30 and paper["width"] > 0.9 * paper["page"], paper
    assert paper["widths"] and max(paper["widths"]) <= A4_WIDTH, paper
    # Back on screen the charts fill their cards again.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    time.sleep(2)
    assert max(_print_geometry(driver)["widths"]) > A4_WIDTH
    assert dash_duo.get_logs() == []


_LEAKS = importlib.util.spec_from_file_location("leaks", Path(__file__).with_name("leaks.py"))
leaks = importlib.util.module_from_spec(_LEAKS)
_LEAKS.loader.exec_module(leaks)


def _everything_shown(duo) -> str:
    """What a reader can meet on the page: its text, the tab's title, tooltips (the chart toolbar's
    too), placeholders and labels for screen readers, the charts' hover texts (a figure's source);
    the scenario picker opened (its search box)."""
    duo.driver.find_element(By.CSS_SELECTOR, "#scenario").click()
    time.sleep(0.5)
    text = duo.driver.execute_script(
        "var parts = [document.title, document.body.innerText];"
        "document.querySelectorAll('[title],[data-title],[placeholder],[aria-label]').forEach(function (e) {"
        "  ['title', 'data-title', 'placeholder', 'aria-label'].forEach(function (a) {"
        "    var v = e.getAttribute(a); if (v) { parts.push(v); } }); });"
        "document.querySelectorAll('.js-plotly-plot').forEach(function (g) { (g.data || []).forEach(function (t) {"
        "  [].concat(t.text || [], t.hovertext || []).forEach(function (v) { if (v != null) { parts.push(String(v)); } });"
        "}); });"
        "return parts.join('\\n');")
    duo.driver.find_element(By.CSS_SELECTOR, "body").send_keys(Keys.ESCAPE)
    duo.driver.find_element(By.CSS_SELECTOR, "h2").click()
    return text


def _assert_clean(duo, lang: str, view: str) -> None:
    text = _everything_shown(duo)
    if lang == "en":  # a Vietnamese document's title quoted in its citation stays as written
        text = re.sub(r"(?<!\w)'[^'\n]*'(?!\w)", "", text)
    found = leaks.leaks(text, lang)
    assert not found, f"{view} ({lang}): " + "\n".join(leaks.context(text, found))


def test_a_scheme_a_2025_unit_does_not_run_is_said_without_a_server_error(dash_duo, app):
    """The labour layer of a 2025 unit: one message naming its former provinces, no 500 behind it."""
    _start(dash_duo, app)
    _result(dash_duo)
    _pick_region(dash_duo, "TP. Hồ Chí Minh (từ 1/7/2025)")
    _wait(lambda: "Hồ Chí Minh" in dash_duo.find_element("#scenario").text, 20, "the 2025 unit")
    dash_duo.find_element("#scheme input[value='bhxh']").click()
    _wait(lambda: "Bình Dương" in dash_duo.find_element("#error").text, 90, "the message naming the provinces")
    assert dash_duo.get_logs() == []  # no callback failed on the server (a 500 is a console error)


def test_no_internal_id_or_other_language_on_any_view(dash_duo, app):
    """Every view in Vietnamese, then in English: the registries' ids and the other language's words
    (tests/dashboard/leaks.py) never show, the chart toolbar and the pickers included."""
    _start(dash_duo, app)
    key = _result(dash_duo)
    _wait(lambda: dash_duo.find_element("#comparison").text, 60, "the details")
    _assert_clean(dash_duo, "vi", "national BHYT")
    _pick_region(dash_duo, "Lai Châu")
    key = _result(dash_duo, key)
    dash_duo.driver.find_element(By.CSS_SELECTOR, "#scenario").click()
    _wait(lambda: next(o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option, "
                                                                "[role='option']")
                       if o.text.startswith("Kế hoạch BHYT toàn dân tỉnh Lai Châu")), 10, "the plan").click()
    _wait(lambda: "Chính sách hiện hành — Lai Châu" in dash_duo.find_element("#comparison").text, 240,
          "the plan compared with the policy in force")
    _wait(lambda: "Quyết định của UBND tỉnh Lai Châu" in dash_duo.find_element("#scenario-description").text, 10,
          "the plan's description")
    # the plan keeps the policy in force: the page says why its results are the baseline's
    assert "không thay đổi chính sách nào" in dash_duo.find_element("#scenario-description").text
    _assert_clean(dash_duo, "vi", "Lai Châu plan against the policy in force")
    dash_duo.find_element("#scheme input[value='bhxh']").click()
    _wait(lambda: "lực lượng lao động" in dash_duo.find_element("#headline").text, 90, "the BHXH answer")
    _assert_clean(dash_duo, "vi", "bhxh")
    dash_duo.find_element("#scheme input[value='bhtn']").click()  # the nation's target (Resolution 28-NQ/TW)
    _wait(lambda: "28-NQ/TW" in dash_duo.find_element("#target-source").text, 60, "the BHTN view")
    _assert_clean(dash_duo, "vi", "bhtn")
    dash_duo.find_element("#lang input[value='en']").click()
    _wait(lambda: dash_duo.find_element("#page-title").text == "Unemployment insurance coverage simulator", 30,
          "the English page")
    _wait(lambda: "Lai Chau People's Committee" in dash_duo.find_element("#scenario-description").text, 10,
          "the plan's description in English")
    _assert_clean(dash_duo, "en", "bhtn")
    dash_duo.find_element("#scheme input[value='bhyt']").click()
    _wait(lambda: "population" in dash_duo.find_element("#headline").text, 90, "the BHYT answer")
    _wait(lambda: "Policy in force — Lai Chau" in dash_duo.find_element("#comparison").text, 240, "the comparison")
    _assert_clean(dash_duo, "en", "Lai Chau plan against the policy in force")
    assert dash_duo.get_logs() == []
