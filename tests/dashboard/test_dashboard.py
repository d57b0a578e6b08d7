"""Dashboard without a browser: translations, number formats, figures and exports built from a
small run, bad input answered with a message."""
from __future__ import annotations

import io
import json

import pandas as pd
import plotly.graph_objects as go
from dash.exceptions import PreventUpdate
import pytest

from covsim.dashboard import brief_text, briefing, callbacks, compute, figures, i18n
from covsim.dashboard.i18n import LANGUAGES, TEXT, number, percent

DRAWS, SEED = 40, 0
LAI_CHAU = {"id": 7, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": 2017, "target": 96.8,
            "year": 2020, "compare": "lai_chau",
            "levers": {"state_share.near_poor": 70, "state_share.pupil_student": 30,
                       "state_share.farm_household": 30, "state_share.household": 0}}


@pytest.fixture(scope="module")
def small():
    s = callbacks.compute_request(LAI_CHAU, DRAWS, SEED)
    assert "error" not in s, s.get("error")
    return s


def test_every_label_has_both_languages():
    for key, texts in TEXT.items():
        assert set(texts) == set(LANGUAGES) and all(texts[lang].strip() for lang in LANGUAGES), key


def test_every_label_the_code_asks_for_exists():
    import re
    from pathlib import Path

    root = Path(i18n.__file__).parent
    used = set()
    for f in root.glob("*.py"):
        used |= set(re.findall(r"""\b[Tt]\(\s*["']([a-z0-9_]+)["']""", f.read_text()))
    missing = {k for k in used if k not in TEXT and k not in ("vi", "en")}
    assert not missing, missing


def test_number_formats():
    assert number(1179440, "vi") + " người" == "1.179.440 người"
    assert percent(0.9369, "vi", 2) == "93,69%"
    assert number(1179440, "en") == "1,179,440"
    assert percent(0.9369, "en", 2) == "93.69%"
    assert number(1234.5, "vi", 1) == "1.234,5"
    assert number(float("nan"), "vi") == "–"


def test_region_names_are_vietnamese():
    # from the data (regions.csv): the country first, then by GSO code
    assert [i18n.region_name(r, "vi") for r in compute.REGIONS] == [
        "Toàn quốc", "Lai Châu", "Bình Phước", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh",
        "Bến Tre", "Trà Vinh", "Vĩnh Long", "TP. Cần Thơ", "Hậu Giang", "Sóc Trăng",  # the seed provinces' 2025 partners
        # then the 2025 units run as the sum of their former provinces, told from the province whose name they keep
        "Lai Châu (từ 1/7/2025)", "Đồng Nai (từ 1/7/2025)", "TP. Hồ Chí Minh (từ 1/7/2025)",
        "Vĩnh Long (từ 1/7/2025)", "TP. Cần Thơ (từ 1/7/2025)"]
    assert i18n.region_name("ho_chi_minh_city", "en") == "Ho Chi Minh City"


def test_scenarios_of_a_region_start_with_its_baseline():
    rows = compute.scenario_rows("lai_chau")
    assert rows[0]["name"] == "lai_chau" and "lai_chau_plan_2016" in [r["name"] for r in rows]


def test_levers_start_at_the_scenarios_values():
    now = compute.current_levers("lai_chau_plan_2016", "bhyt", 2017)
    assert now["state_share.near_poor"] == pytest.approx(0.7)
    assert now["base_salary"] > 1e6


def test_summary_is_json_and_carries_the_report(small):
    json.dumps(small)
    assert 0 <= small["report"]["probability"] <= 1
    assert small["assumptions"]["draws"] == DRAWS and small["assumptions"]["data_hash"]
    assert small["budget"] and small["districts"]["available"]
    assert small["compare"]["name"] == "lai_chau"
    assert small["compare"]["probability_a"] == small["report"]["probability"]


def test_a_higher_state_share_raises_the_probability():
    low = callbacks.compute_request(LAI_CHAU, DRAWS, SEED)
    high = callbacks.compute_request(dict(LAI_CHAU, levers={"state_share.household": 100,
                                                            "state_share.farm_household": 100}), DRAWS, SEED)
    # 96.8% is out of reach either way (P ~ 2%), so the probability may not move; the median must
    assert high["report"]["probability"] >= low["report"]["probability"]
    assert high["report"]["median_coverage"] > low["report"]["median_coverage"] + 0.002
    assert high["changed"] == {"state_share.farm_household": 1.0, "state_share.household": 1.0}


def valid(fig: dict) -> go.Figure:
    """The dashboard's figure dicts, validated by plotly (a misspelt property raises)."""
    return go.Figure(fig)


def test_figures_keep_observed_planned_and_model_apart(small):
    fig = valid(figures.fan_chart(small, "vi"))
    names = [tr.name or "" for tr in fig.data]
    assert any("Khoảng dự báo 80%" in n for n in names) and any("Khoảng dự báo 95%" in n for n in names)
    assert "Chỉ tiêu kế hoạch" in names
    planned = next(tr for tr in fig.data if tr.name == "Chỉ tiêu kế hoạch")
    assert planned.marker.symbol == "diamond-open"
    assert fig.layout.separators == ",."
    assert valid(figures.fan_chart(small, "en")).layout.separators == ".,"
    obs = callbacks.compute_request(dict(LAI_CHAU, scenario="vietnam", compare=None, target=95, year=2025),
                                    DRAWS, SEED)
    observed = next(tr for tr in valid(figures.fan_chart(obs, "en")).data if tr.name == "Observed")
    assert observed.marker.symbol == "circle" and observed.mode == "markers"
    groups = valid(figures.groups_chart(small, "vi")).data
    # every group's whole name, wrapped, never cut at a width ('… (người')
    assert [n.replace("<br>", " ") for n in groups[0].y] == [i18n.group_label(r["group"], "vi")
                                                             for r in small["report"]["groups"]]
    # the bars say they are the model's median of the target year even where no group target is drawn
    alone = callbacks.compute_request(dict(LAI_CHAU, scenario="vietnam", compare=None, target=95, year=2030),
                                      DRAWS, SEED)
    bars = valid(figures.groups_chart(alone, "vi"))
    assert len(bars.data) == 1 and bars.data[0].showlegend is True
    assert bars.data[0].name == "Bao phủ trung vị 2030 (mô hình, giả định)"
    assert bars.layout.xaxis.title.text == f"{i18n.t('coverage', 'vi')} (% {i18n.t('of_population', 'vi')})"
    assert valid(figures.budget_chart(small, "vi")).data
    assert valid(figures.districts_chart(small, "vi")).data
    assert valid(figures.comparison_chart(small, "vi")).data


def test_render_shows_numbers_in_the_language(small):
    vi, en = callbacks.render(small, "vi"), callbacks.render(small, "en")
    p = small["report"]["probability"]
    assert vi["probability"][0] == percent(p, "vi", 0)
    # and under it how far another seed could move it, as `covsim target` says it
    se, n = small["report"]["probability_se"], small["report"]["draws"]
    assert 0 < p < 1 and se > 0
    assert vi["probability"][1].children == f"sai số Monte Carlo ±{number(100 * se, 'vi', 1)} điểm phần trăm trên {n} lần mô phỏng"
    assert en["probability"][1].children == f"±{100 * se:.1f} points of Monte Carlo error over {n} simulation draws"
    assert "96,80%" in vi["headline"] and "96.80%" in en["headline"]
    assert vi["error"] == ""


def test_assumptions_name_the_fitted_numbers_that_are_still_priors(small):
    # Lai Chau has no coverage figure of its own: its level is the prior's, and the page says so
    mostly = small["assumptions"]["mostly_prior"]
    assert "region_offset" in mostly["parameters"] and mostly["cut"] == 0.5
    vi, en = (str(callbacks.render(small, lang)["assumptions"]) for lang in ("vi", "en"))
    assert "mức tham gia riêng của tỉnh" in vi and "chủ yếu vẫn là giả định" in vi and "50%" in vi
    # what reproduces it, the parameter draws' hash among it (a refit changes the figures under the same data)
    assert f"Parameter draws hash {small['assumptions']['parameters_hash']}" in en
    # and how the probability moves with each of them, as `covsim target` prints it
    halves = small["leans_on"]
    assert [r["parameter"] for r in halves] == list(mostly["parameters"])
    assert all((r["probability_low_half"] + r["probability_high_half"]) / 2 == pytest.approx(
        small["report"]["probability"], abs=1e-9) for r in halves)
    assert "nửa dưới / nửa trên" in vi and f"{i18n.probability(halves[0]['probability_low_half'], 'vi')} / " in vi
    # on paper too: the briefing's method and the workbook's assumptions sheet
    assert "mức tham gia riêng của tỉnh" in briefing.briefing_html(small, "vi")
    import openpyxl

    from covsim.dashboard import excel

    book = openpyxl.load_workbook(io.BytesIO(excel.to_excel(small, "en")))
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(c.startswith("Fitted, yet mostly assumed") and "the province's own join level" in c for c in cells)
    assert any(c.startswith("Probability of the target with each of these") for c in cells)
    assert "nửa dưới / nửa trên" in briefing.briefing_html(small, "vi")
    # a contraction below 0 (a posterior as wide as its prior, within the sampling's noise) reads 0%
    assert ("the province's own join level" in en
            and f'tỉnh {percent(max(mostly["parameters"]["region_offset"], 0.0), "vi", 0)}' in vi)


def test_briefing_contains_the_key_numbers(small):
    page = briefing.briefing_html(small, "vi")
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert percent(small["report"]["probability"], "vi", 0) in page
    assert "96,8% dân số thường trú vào năm 2020" in page
    assert small["assumptions"]["data_hash"] in page and small["assumptions"]["code_version"] in page
    assert "data:image/png;base64," in page  # self-contained: the charts as images
    assert "Decision" in page or "decision" in page  # the sources of observed / planned figures


def test_downloads_open(small, tmp_path):
    csv = pd.read_csv(io.BytesIO(briefing.to_csv(small)))
    assert {"year", "median", "p10", "p90", "observed", "planned_target", "state_cost"} <= set(csv.columns)
    # what reproduces the figures is in the CSV itself, on every row
    assert (csv.seed == small["assumptions"]["seed"]).all() and (csv.data_hash == small["assumptions"]["data_hash"]).all()
    assert (csv.code_version == small["assumptions"]["code_version"]).all() and csv.assumed.notna().all()
    # and the levers moved on the page, from their year: the scenario's hash cannot be turned back into them
    assert (csv.lever_start == small["start"]).all()
    assert all(json.loads(v) == small["changed"] for v in csv.changed_levers)
    moved = briefing.coverage_table({**small, "changed": {"state_share.near_poor": 0.9}, "start": 2018})
    assert set(moved.changed_levers) == {'{"state_share.near_poor": 0.9}'} and set(moved.lever_start) == {2018}
    xl = pd.read_excel(io.BytesIO(briefing.to_excel(small, "en")), sheet_name=None)
    assert {"Coverage by year", "By group", "Districts - planned", "Levers and assumptions"} <= set(xl)
    payload = callbacks.export("btn-nc", small, "vi")
    import base64

    import xarray as xr

    path = tmp_path / "run.nc"
    path.write_bytes(base64.b64decode(payload["content"]))
    with xr.open_dataset(path) as ds:
        assert ds.sizes["draw"] == DRAWS


@pytest.mark.parametrize("change, expect", [
    ({"target": 120}, "120% is outside (0, 100]"),
    ({"levers": {"state_share.near_poor": 150}}, "out of range"),
    ({"year": 2099}, "outside the scenario's years"),
    ({"start": None}, "empty"),
    ({"scheme": "bhyz"}, "unknown scheme"),
    ({"compare": "vietnam"}, "not lai_chau"),
])
def test_bad_input_returns_a_message(change, expect):
    s = callbacks.compute_request(dict(LAI_CHAU, **change), DRAWS, SEED)
    assert expect in s["error"] and s["kind"] == "input"
    shown = callbacks.render(s, "vi")  # in Vietnamese, without the engine's English or file paths
    assert shown["error"].startswith("Dữ liệu nhập không hợp lệ") and expect not in shown["error"]
    assert ".toml" not in shown["error"] and "site-packages" not in shown["error"] and "/scenarios/" not in shown["error"]


def test_unexpected_failure_is_a_message_not_a_crash(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(compute, "full_result", boom)
    s = callbacks.compute_request(LAI_CHAU, DRAWS, SEED)
    assert s["kind"] == "internal" and "disk on fire" in s["error"]


def test_region_without_districts_says_so():
    s = callbacks.compute_request(dict(LAI_CHAU, scenario="vinh_long", compare=None, target=90, start=2018),
                                  DRAWS, SEED)
    shown = callbacks.render(s, "en")
    assert "No district data for this region" in str(shown["districts"])
    # no lever moves anyone: the cost card says so instead of standing as a heading over nothing
    assert "No one more is insured" in str(shown["per-insured"])


def test_labour_scheme_uses_the_labour_force():
    s = callbacks.compute_request(dict(LAI_CHAU, scenario="vinh_long", scheme="bhtn", compare=None, target=50,
                                       start=2019), DRAWS, SEED)
    assert s["denominator"] == "labour_force" and "budget" not in s  # BHTN's state support is not modelled
    assert "lực lượng lao động" in callbacks.render(s, "vi")["headline"]
    assert callbacks.render(s, "vi")["per-insured"] is None  # no budget: the chart says so, no heading
    assert "Not available for this scheme" in str(valid(figures.groups_chart(s, "en")).layout.annotations[0].text)
    # a labour fit's reporting error is of another share: no published figure's chance on the page
    assert "probability_published" not in s["report"]
    assert "published-chance" not in str(callbacks.render(s, "en")["probability"])


def test_the_page_gives_the_published_figures_chance_under_the_probability():
    """A plan is judged on the published figure: the page says its chance under the coverage's, in
    the session's language, from the first step (a lever move's answer) on."""
    quick = callbacks.compute_request(LAI_CHAU, DRAWS, SEED, details=False)
    rep = quick["report"]
    assert 0 <= rep["probability_published"] <= 1 and rep["reporting_error_sd"] > 0
    shown = {lang: callbacks.render(callbacks.compute_request(LAI_CHAU, DRAWS, SEED), lang)["probability"]
             for lang in ("vi", "en")}
    sd = {lang: number(100 * rep["reporting_error_sd"], lang, 1) for lang in ("vi", "en")}
    (vi,) = [c.children for c in shown["vi"] if getattr(c, "id", None) == "published-chance"]
    (en,) = [c.children for c in shown["en"] if getattr(c, "id", None) == "published-chance"]
    p = {lang: i18n.probability(rep["probability_published"], lang) for lang in ("vi", "en")}
    # its own Monte Carlo error, as the coverage's has under it (or that no draw / every draw reaches it)
    pp = rep["probability_published"]
    mc = {lang: (f"sai số Monte Carlo ±{number(100 * rep['probability_published_se'], 'vi', 1)} điểm phần trăm trên "
                 f"{DRAWS} lần mô phỏng" if lang == "vi" else
                 f"±{number(100 * rep['probability_published_se'], 'en', 1)} points of Monte Carlo error over {DRAWS} "
                 f"simulation draws") for lang in ("vi", "en")}
    if pp in (0.0, 1.0):
        mc = {lang: brief_text.monte_carlo_text(rep, lang, "probability_published") for lang in ("vi", "en")}
    assert vi == (f"Xác suất số liệu công bố đạt mục tiêu: {p['vi']} (tính cả sai số báo cáo của số liệu, độ lệch chuẩn "
                  f"{sd['vi']} điểm phần trăm; {mc['vi']})")
    assert en == (f"Probability that the published figure reaches it: {p['en']} (with the figures' reporting error, "
                  f"standard deviation {sd['en']} points; {mc['en']})")


def test_voluntary_bhxh_support_is_costed_against_the_baseline():
    """The BHXH page's lever has its price: the state's support by year, the extra cost and people
    against the region's baseline on the same draws, more support costing more and insuring more."""
    def support(level):
        req = dict(LAI_CHAU, scenario="vinh_long", scheme="bhxh", compare=None, target=50, year=2024, start=2020,
                   levers={f"voluntary_subsidy.{g}": level for g in ("poor", "near_poor", "other")})
        s = callbacks.compute_request(req, DRAWS, SEED)
        assert "error" not in s, s.get("error")
        return s, next(r for r in s["budget"] if r["year"] == 2024)

    low, at_low = support(40)
    high, at_high = support(80)
    assert set(at_low) >= {"state_cost", "extra_state_cost", "extra_insured"} and "premium_revenue" not in at_low
    assert 0 < at_low["extra_state_cost"] < at_high["extra_state_cost"]
    assert 0 < at_low["extra_insured"] < at_high["extra_insured"]
    chart = valid(figures.budget_chart(high, "en"))
    # the support, and its 80% band over the draws as error bars (since 2026-12-07)
    assert [d.name for d in chart.data] == ["State support of voluntary BHXH contributions (model, assumed)",
                                            "The state's total: 80% band over the draws"]
    band = chart.data[1].error_y
    assert all(v >= 0 for v in band.array) and all(v >= 0 for v in band.arrayminus) and max(band.array) > 0
    assert "State support of voluntary social insurance contributions in 2024" in briefing.briefing_html(high, "en")
    assert callbacks.render(high, "en")["per-insured"] is not None


def test_app_builds_and_serves_the_layout():
    from covsim.dashboard.app import create_app

    app = create_app(draws=DRAWS, background=False, warm=False)
    client = app.server.test_client()
    page = client.get("/")
    assert page.status_code == 200 and b'<html lang="vi">' in page.data  # served in its language
    assert client.get("/_dash-layout").status_code == 200



def test_what_the_json_encoder_looks_up_is_imported_before_serving():
    """Plotly's JSON encoder reads PIL.Image from sys.modules on every response: it must be whole
    before any request thread could import it half-way under another's feet (an HTTP 500 under
    load). In a fresh interpreter, where no other test has imported it."""
    import subprocess
    import sys

    code = ("import sys; from covsim.dashboard.app import create_app; create_app(background=False, warm=False); "
            "assert hasattr(sys.modules['PIL.Image'], 'Image')")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_the_server_keeps_its_disk_small_and_clears_it_when_stopped(tmp_path):
    """A kept run is 50-150 MB: the server keeps the default region's in memory; the warm-up
    process (dashboard/warmup.py) leaves the other calibrated regions' on disk for it, and nothing
    else is there; the cache folder goes when the server is terminated. Each start used to leave
    ~800 MB behind, which filled CI's disk."""
    import os
    import signal

    from covsim.dashboard import process

    proc = process.start(process.free_port(), env=dict(os.environ, TMPDIR=str(tmp_path)))
    try:
        (folder,) = tmp_path.glob("covsim-dashboard-*")
        from covsim.dashboard import compute

        warmed_on_disk = len(compute.warmed_regions()) - 1
        assert sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) < 20e6 + 150e6 * warmed_on_disk
    finally:
        process.stop(proc)
    assert proc.returncode == 128 + signal.SIGTERM  # a clean exit, exit handlers run
    assert not list(tmp_path.glob("covsim-dashboard-*"))


def test_the_server_logs_failed_requests_not_each_poll(tmp_path):
    """The page polls ten times a second while a job runs; a line for each buried the warnings."""
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from covsim.dashboard import process

    log = tmp_path / "server.log"
    port = process.free_port()
    with open(log, "wb") as sink:  # not process.start: it waits for the warm-up, which this needs not
        proc = subprocess.Popen([sys.executable, "-m", "covsim.cli.main", "dashboard", "--port", str(port)],
                                stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 180
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=30).read()
                    break
                except OSError:
                    assert time.time() < deadline and proc.poll() is None, log.read_text()
                    time.sleep(0.5)
            for _ in range(5):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=30).read()
            with pytest.raises(urllib.error.HTTPError):  # an asset that is not there: 404
                urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/no-such-sheet.css", timeout=30)
        finally:
            process.stop(proc)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Dash is running on" in text
    assert "/_dash-layout" not in text and "/_covsim/health" not in text
    assert "GET /assets/no-such-sheet.css HTTP/1.1\" 404" in text


def test_the_dashboard_command_gives_sigterm_back_when_it_returns(monkeypatch):
    """`main(["dashboard"])` called from Python left the server's SIGTERM handler (kill the children,
    exit 143) in the caller's process after the command ended: in the test suite, after the CLI's
    property test, every later test ran under it. The caller's handler now comes back."""
    import signal

    from covsim.cli.main import main
    from covsim.dashboard import app, process

    def mine(signum, frame):
        raise AssertionError("not called")

    def failed():
        assert signal.getsignal(signal.SIGTERM) is not mine  # the server's own, while it runs
        raise RuntimeError("the app could not be built")

    port = process.free_port()  # the command checks its port before building the app
    monkeypatch.setattr(app, "create_app", failed)
    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with pytest.raises(RuntimeError):
            main(["dashboard", "--port", str(port)])
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_ends_the_server_and_its_jobs_at_once():
    """Exit would otherwise wait for a running job (a non-daemon child) before removing the caches."""
    import subprocess
    import sys

    import psutil

    code = """if True:
        import multiprocessing, os, signal, time
        from covsim.cli.serve import _exit_on_terminate
        _exit_on_terminate()
        job = multiprocessing.get_context("fork").Process(target=time.sleep, args=(120,))
        job.start()
        print(job.pid, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(120)
        """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 143, done.stderr[-2000:]
    job = int(done.stdout.split()[0])
    assert not psutil.pid_exists(job) or psutil.Process(job).status() == psutil.STATUS_ZOMBIE


def test_a_background_jobs_kept_run_reaches_the_server_and_the_servers_own_stay_in_memory(tmp_path):
    """In a fresh interpreter (forked jobs need numba's fork-safe threading layer)."""
    import subprocess
    import sys

    code = """if True:
        import multiprocessing, sys
        import diskcache
        from covsim.dashboard import cache, compute
        assert cache.fork_safe_threads()
        cache.share_cache(diskcache.Cache(sys.argv[1]))
        compute.variants_of("lai_chau", 11, 5)
        assert cache.load_shared(("variants",) + compute.kept_key("lai_chau", 11, 5)) is None
        job = multiprocessing.get_context("fork").Process(target=compute.variants_of, args=("dong_nai", 11, 5))
        job.start(); job.join()
        assert job.exitcode == 0
        kept = compute.variants_of("dong_nai", 11, 5, build=False)
        assert kept is not None and kept.scenario.name == "dong_nai"
        """
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_cli_registers_the_dashboard_command():
    from covsim.cli.main import build_parser

    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port) == ("127.0.0.1", 8050)


def test_the_answer_comes_first_and_the_details_agree_with_it():
    quick = callbacks.compute_request(LAI_CHAU, DRAWS, SEED, details=False)
    full = callbacks.compute_request(LAI_CHAU, DRAWS, SEED)
    assert quick["details"] is False and full["details"] is True
    assert quick["fan"] == full["fan"] and quick["report"]["probability"] == full["report"]["probability"]
    assert "budget" not in quick and full["budget"] and full["report"]["groups"]
    assert quick["request"] == LAI_CHAU  # what the details step recomputes from
    assert quick["assumptions"] == full["assumptions"]
    assert quick["report"] == dict(full["report"], groups=[])
    # A lever moved from the start year: the answer comes from the rerun's coverage alone.
    moved = dict(LAI_CHAU, levers=dict(LAI_CHAU["levers"], **{"state_share.household": 55}), compare=None)
    quick, full = (callbacks.compute_request(moved, DRAWS, SEED, details=d) for d in (False, True))
    assert quick["changed"] == {"state_share.household": 0.55}
    assert quick["fan"] == full["fan"] and quick["assumptions"] == full["assumptions"]
    assert quick["report"] == dict(full["report"], groups=[])
    with pytest.raises(PreventUpdate):
        callbacks.render(quick, "vi", callbacks.RENDERED_REST)  # the views of the details wait for them


def test_a_lever_move_is_quick_only_once_the_run_is_kept():
    req = dict(LAI_CHAU, scenario="dong_nai", compare=None, start=2026, target=90, year=2028)
    assert not compute.ready(req, 11, SEED)
    compute.variants_of("dong_nai", 11, SEED)
    assert compute.ready(req, 11, SEED)
    assert not compute.ready(dict(req, compare="dong_nai_plan_2013"), 11, SEED)
    assert compute.ready(dict(req, scheme="nope"), 11, SEED)  # bad input: a message at once


def test_requests_are_named_by_what_they_ask():
    a = callbacks.request_of("vietnam", "bhyt", {"state_share.household": 30}, 2026, 95, 2030, None)
    b = callbacks.request_of("vietnam", "bhyt", {"state_share.household": 30}, 2026, 95, 2030, "")
    c = callbacks.request_of("vietnam", "bhyt", {"state_share.household": 31}, 2026, 95, 2030, None)
    assert a["id"] == b["id"] != c["id"]
    assert callbacks.request_of("vietnam", "bhyt", {"state_share.household": None}, None, None, None, None) is None


def test_a_drives_assumed_cost_is_listed_in_the_briefing_and_the_workbook():
    """The budget figures include the drive's assumed cost a person: the papers say so, as assumed."""
    req = dict(LAI_CHAU, levers={**LAI_CHAU["levers"], "drive": 1})
    s = callbacks.compute_request(req, DRAWS, SEED)
    assert "error" not in s, s.get("error")
    assert any(a.startswith("drive cost = 20,000 VND") for a in s["assumptions"]["assumed"])
    page = briefing.briefing_html(s, "vi")
    assert "Chi phí vận động: 20.000 đồng" in page
    xl = pd.read_excel(io.BytesIO(briefing.to_excel(s, "en")), sheet_name="Levers and assumptions", header=None)
    assert xl.astype(str).apply(lambda c: c.str.contains("Drive cost: 20,000 VND")).any().any()


def test_what_the_model_holds_fixed_is_on_the_page_the_briefing_and_the_workbook(small):
    """Worded in the reader's language from the numbers the model declares (schemes/fixed.py)."""
    from covsim.dashboard import compute, i18n
    from covsim.simulator.schemes import parameters

    vi, en = i18n.fixed_text("bhyt", "vi"), i18n.fixed_text("bhyt", "en")
    assert vi.startswith("Mô hình giữ cố định") and "0,5 và 0,5 lần" in vi and "0.5 and 0.5 times" in en
    keys = [k for k, _ in compute.fixed_items("bhyt")]
    assert keys[: len(parameters.FIXED)] == [f.key for f in parameters.FIXED]
    assert keys[len(parameters.FIXED):] == ["money_ratios", "base_salary_held"]
    assert "lương cơ sở" in vi and "base salary" in en
    assert vi in briefing.briefing_html(small, "vi")
    page = str(callbacks.render(small, "vi")["assumptions"])
    xl = pd.read_excel(io.BytesIO(briefing.to_excel(small, "en")), sheet_name="Levers and assumptions", header=None)
    assert xl.astype(str).apply(lambda c: c.str.contains("Held fixed in the model", regex=False)).any().any()
    assert "Mô hình giữ cố định" in page and "0,5 và 0,5 lần" in page


def test_the_page_lists_a_scenarios_assumed_numbers_as_the_briefing_does(hand_set_labour):
    """A scenario whose inspections and drives have strengths its source does not name: the page's
    assumptions panel says they are assumed (as the CLI, the briefing and the workbook do)."""
    req = {"id": 1, "scenario": hand_set_labour, "scheme": "bhxh", "start": 2024, "target": 30,
           "year": 2026, "levers": {}}
    s = callbacks.compute_request(req, 4, 0)
    vi, en = (str(callbacks.render(s, lang)["assumptions"]) for lang in ("vi", "en"))
    assert "Số liệu giả định của kịch bản" in vi and "thanh tra, kiểm tra việc đóng BHXH" in vi
    assert "The scenario's assumed numbers" in en and "inspection of employers' social insurance" in en
    plain = dict(req, scenario="vietnam", scheme="bhyt", target=95, year=2025)
    assert "assumed numbers" not in str(callbacks.render(callbacks.compute_request(plain, 4, 0), "en")["assumptions"])


def test_a_plan_target_of_those_required_to_join_is_named_under_the_target_box():
    """Cần Thơ's Plan 72 sets BHTN 100% of those required to join: the page measures the labour force,
    so it names that target and its unit rather than saying there is none."""
    from covsim.dashboard import views

    vi, en = (views.target_note("can_tho", "bhtn", 2009, 2030, lang) for lang in ("vi", "en"))
    assert "72/KH-UBND" in vi and "100% năm 2024 tính trên số người thuộc diện tham gia bắt buộc" in vi
    assert "sets 100% by 2024 of those required to join" in en
    assert "required to join" not in views.target_note("can_tho", "bhyt", 2009, 2030, "en")
    # the box holds the nation's BHTN target (Resolution 28-NQ/TW) meanwhile: said as standing in for
    # a target of another unit, not as the city having none, and each sentence ends before the next
    assert "the region's own is in another unit" in en and "has none of its own" not in en
    assert "VietnamPlus. Plan 72/KH-UBND" in en
    assert "đơn vị khác" in vi and "chưa có chỉ tiêu riêng" not in vi


def test_the_default_target_is_the_nations_for_bhtn_and_none_outside_its_years():
    """Resolution 28-NQ/TW's 45% by 2030 is the BHTN page's default (until 2026-12-04 the data held
    no BHTN target and the box stayed empty); a run that ends before any target says there is none."""
    from covsim.dashboard import views

    assert compute.target_default("vietnam", "bhtn", 2009, 2030)[:2] == (0.45, 2030)
    assert compute.target_default("vietnam", "bhxh", 2009, 2030)[:2] == (0.6, 2030)
    assert compute.target_default("vietnam", "bhtn", 2009, 2024)[:2] == (0.28, 2021)
    value, year, source, whose = compute.target_default("vietnam", "bhtn", 2009, 2019)
    assert (value, source, whose) == (None, None, "none")
    assert views.target_note("vietnam", "bhtn", 2009, 2019, "en").startswith("No sourced target")


def test_no_scenario_label_in_the_picker_doubles_its_brackets():
    """'… (BHXH, BHTN) (BHXH)' read as a slip: a plan's title names its schemes after a colon, and
    the picker adds the scheme on screen in brackets once."""
    from covsim import simulator
    from covsim.dashboard import views

    for name in simulator.shipped_scenarios():
        for scheme in ("bhyt", "bhxh", "bhtn"):
            for lang in ("vi", "en"):
                label = views.scenario_label(name, scheme, lang)
                assert ") (" not in label and "))" not in label, label


def test_the_drive_box_says_its_price_even_at_strength_zero():
    """At 0 the box's note said only 'cost 0 đồng per person reached': an official could not read the
    drive's (assumed) price off the page until typing a strength."""
    from covsim.dashboard.callbacks import drive_text

    vi, en = drive_text(0, "vi"), drive_text(0, "en")
    # charged on every member of the groups a drive reaches, insured or not (health.drive_cost)
    assert ("20.000 đồng mỗi năm cho mỗi người thuộc các nhóm tự đóng (đã hay chưa tham gia) ở cường độ 1, "
            "tức 0 đồng") in vi
    assert ("20,000 VND a year per person of the voluntary groups (insured or not) at strength 1, so 0 VND at the "
            "strength typed") in en
    assert "so 30,000 VND" in drive_text("1,5", "en")
    # a strength the box refuses (out of 0–3, empty, not a number, nan) is given no price of its own:
    # 5 was costed at 100.000 đồng beside the error "Phải từ 0 đến 3", nan as strength 1
    for typed in ("5", "-1", "", None, "abc", "nan"):
        said = drive_text(typed, "vi")
        assert "tức" not in said and said.endswith("ở cường độ 1, do ngân sách địa phương chi."), (typed, said)
    assert vi.endswith(".") and en.endswith(".")


def test_the_pages_assumed_numbers_follow_the_rows_flag_not_their_wording(monkeypatch, hand_set_labour):
    """Which of a scenario's changes are assumed is a flag on the row, not a match of its translated
    status: were 'assumed' and 'tested' worded alike, the lever a planner typed would still not be
    listed as an assumed number, and a scenario's unstated strengths still would."""
    from covsim.dashboard import brief_content, brief_text

    real = brief_text.b
    same = lambda key, lang, **kw: "—" if key in ("status_assumed", "status_tested") else real(key, lang, **kw)  # noqa: E731
    monkeypatch.setattr(brief_text, "b", same)
    monkeypatch.setattr(brief_content, "b", same)
    typed = callbacks.compute_request({"id": 1, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": 2017,
                                       "target": 96.8, "year": 2020, "levers": {"state_share.near_poor": 90}}, 4, 0)
    assert [r[3] for r in brief_content.changes(typed, "en")[0]] == [True]  # the typed lever, tested
    assert callbacks.scenario_assumed(typed, "en") == ""
    labour = callbacks.compute_request({"id": 1, "scenario": hand_set_labour, "scheme": "bhxh", "start": 2024,
                                        "target": 30, "year": 2026, "levers": {}}, 4, 0)
    assert "inspection of employers' social insurance" in callbacks.scenario_assumed(labour, "en")


def test_the_comparison_names_the_page_scenario_with_its_changes(small):
    """Compared with itself plus the levers entered, the page's scenario is never headed as if it
    were the scenario it is compared with (an official saw two columns of one name)."""
    from covsim.dashboard.i18n import scenario_name

    assert not small["changed"] and figures.compared_name(small, "vi") == scenario_name(small["scenario"], "vi")
    moved = callbacks.compute_request(dict(LAI_CHAU, levers=dict(LAI_CHAU["levers"], **{"state_share.household": 55})),
                                      DRAWS, SEED)
    assert moved["changed"]
    assert figures.compared_name(moved, "vi").endswith("(với các thay đổi đang nhập)")
    assert figures.compared_name(moved, "en").endswith("(with the changes entered)")
    legend = figures.comparison_chart(moved, "vi")["data"][0]["name"]
    assert "(với các thay đổi đang nhập)" in legend


def test_a_2025_unit_whose_seat_is_fitted_is_not_called_uncalibrated_in_the_footer():
    """HCMC's unit: the city fitted, Bình Dương's and Bà Rịa - Vũng Tàu's offsets on their priors.
    The footer says exactly that, not 'prior parameters, not calibrated' under a 'partly' note."""
    req = dict(LAI_CHAU, scenario="ho_chi_minh_city_2025", start=2026, target=95, year=2030, compare=None, levers={})
    s = callbacks.compute_request(req, DRAWS, SEED)
    footer = str(callbacks.render(s, "en", ("assumptions",))["assumptions"])
    assert "except the own offsets of Binh Duong" in footer and "prior parameters, not calibrated" not in footer


def test_a_share_shows_its_level_at_the_end_of_the_start_year_and_reads_back_as_untouched():
    """Pupils' state share rose from 30% to 50% on 15 August 2025 (Decree 188/2025): a box for a
    start in 2025 shows 50, the level a lever set then replaces, not the year's mean 37.62 (typing
    40 'to raise it' would have cut it). The page's own numbers sent back change nothing; a
    hundredth more does."""
    # the unit's page opens on the nation's 95% by 2030, levers from 2026; a planner may start in 2025
    assert callbacks.page_defaults("ho_chi_minh_city_2025", "bhyt")[1] == 2026
    start = 2025
    now = {p: callbacks.to_ui(p, v) for p, v in compute.current_levers("ho_chi_minh_city_2025", "bhyt", start).items()}
    assert now["state_share.pupil_student"] == 50
    shares = {p: v for p, v in now.items() if callbacks.is_share(p)}
    assert all(round(v, 2) == v for v in shares.values())
    req = dict(LAI_CHAU, scenario="ho_chi_minh_city_2025", start=start, target=95, year=2030, compare=None,
               levers=now)
    assert callbacks.compute_request(req, DRAWS, SEED, details=False)["changed"] == {}
    moved = dict(now, **{"state_share.pupil_student": 50.01})
    changed = callbacks.compute_request(dict(req, levers=moved), DRAWS, SEED, details=False)["changed"]
    assert list(changed) == ["state_share.pupil_student"]


def test_a_range_with_a_large_bound_groups_both_bounds_alike():
    """The base salary's range read '100000 đến 1.000.000.000': one bound grouped, one not."""
    from covsim.dashboard import fields

    err = {"field": "base_salary", "code": "range", "params": {"lo": 100000, "hi": 1e9, "unit": ""}}
    assert "100.000" in fields.message(err, "vi") and "1.000.000.000" in fields.message(err, "vi")
    assert "100,000" in fields.message(err, "en") and "1,000,000,000" in fields.message(err, "en")
    small = {"field": "target", "code": "range", "params": {"lo": 0.5, "hi": 100, "unit": ""}}
    assert "0,5" in fields.message(small, "vi")  # as the box shows it, a decimal comma


def test_an_export_before_any_result_says_so_not_a_calculation_error(caplog):
    """It said 'Lỗi khi tính' (computation failed) and logged a traceback."""
    for answer in (None, {"id": 3, "error": "target: 150 is outside (0, 1]"}):
        data, said = callbacks.download_of("btn-docx", None, answer, "vi", DRAWS, 0)
        assert said == "Chưa có kết quả để xuất: hãy sửa ô được báo lỗi, hoặc chờ tính xong"
    assert "export failed" not in caplog.text


def test_a_mistyped_page_key_fails_rather_than_reading_other_group():
    """t() once fell back to the group's name for any key, and a group it does not know reads 'Other
    group': a typo in a label would have shown that on the page."""
    from covsim.dashboard.i18n import t

    assert t("near_poor", "en") == "Members of near-poor households"
    with pytest.raises(KeyError, match="probabilty"):
        t("probabilty", "en")


def test_the_parameters_line_says_a_province_without_figures_is_fitted_on_the_nations():
    """Lai Chau has no coverage figure of its own: the page said its parameters were 'calibrated to
    Lai Chau's observed figures' (a helper's audit, s35), where the briefing says the national ones."""
    lai_chau = callbacks.compute_request(LAI_CHAU, DRAWS, SEED)
    assert lai_chau["observed"] == []
    en, vi = (str(callbacks.render(lai_chau, lang)["assumptions"]) for lang in ("en", "vi"))
    assert "calibrated to the national figures: Lai Chau has no observed figure of its own" in en
    assert "theo số liệu toàn quốc: Lai Châu chưa có số liệu thực tế riêng" in vi
    vinh_long = callbacks.compute_request({"id": 8, "scenario": "vinh_long", "scheme": "bhyt", "start": 2027,
                                           "target": 90, "year": 2030}, DRAWS, SEED)
    assert vinh_long["observed"]
    assert "calibrated to Vinh Long's observed figures" in str(callbacks.render(vinh_long, "en")["assumptions"])


def test_a_mistyped_dotted_key_fails_too():
    """A dotted key went to the lever-group branch whatever it was, and read 'Other group'."""
    from covsim.dashboard.i18n import t

    assert t("state_share.near_poor", "en")  # a lever's group row
    for typo in ("parameters_calibrated.nationl", "state_share.nope", "no_lever.near_poor"):
        with pytest.raises(KeyError):
            t(typo, "en")


def test_a_new_lever_start_refills_the_boxes_left_as_filled_and_keeps_those_changed():
    """Moving the lever start past Decree 188/2025's 50% for pupils (from 2025) left the box at the
    30% it was filled with for 2024, and the page read it as a change back to 30%: now the untouched
    box shows what is in force from the new start, a changed one stays as typed."""
    from dash import no_update

    # the national page opens on the latest target, 95% by 2030, with levers from 2026; until
    # 2026-12-06 it opened on the look back at 95.15% by 2025, levers from 2022, as this starts
    assert callbacks.page_defaults("vietnam", "bhyt")[1] == 2026
    start = 2022
    now = {p: callbacks.to_ui(p, v) for p, v in compute.current_levers("vietnam", "bhyt", start).items()}
    kinds = {s["path"]: s["kind"] for s in compute.lever_specs()}
    paths = list(now)
    typed = [callbacks.boxed(now[p], kinds[p], "vi") for p in paths]
    skip = [no_update] * len(paths)

    def moved(boxes, to):
        out = callbacks.refilled("vietnam", "bhyt", paths, boxes, start, to, "vi", skip)
        return {p: v for p, v in zip(paths, out[0]) if v is not no_update}, out[-1]

    assert now["state_share.pupil_student"] == 30
    later = {"state_share.pupil_student": "50", "base_salary": "2.340.000"}  # in force by 2027
    assert moved(typed, "2027") == (later, 2027)
    changed = [("40" if p == "state_share.pupil_student" else v) for p, v in zip(paths, typed)]
    assert moved(changed, "2027") == ({"base_salary": "2.340.000"}, 2027)  # the user's 40% stays
    unreadable = [("abc" if p == "base_salary" else v) for p, v in zip(paths, typed)]
    assert moved(unreadable, "2027") == ({"state_share.pupil_student": "50"}, 2027)  # the others are still refilled
    # what the refilled boxes ask for is no change at all: the run is the scenario's own
    refilled = dict(zip(paths, typed)) | later
    assert compute.changed_levers("vietnam", "bhyt", {p: callbacks.from_ui(p, v) for p, v in refilled.items()}, 2027) == ()
    with pytest.raises(PreventUpdate):  # the same start, or one not read as a year: nothing to refill
        callbacks.refilled("vietnam", "bhyt", paths, typed, start, str(start), "vi", skip)
    with pytest.raises(PreventUpdate):
        callbacks.refilled("vietnam", "bhyt", paths, typed, start, "20x7", "vi", skip)


def test_the_printout_names_the_province_plan_and_changes_and_the_cost_table_its_columns():
    """Printed, the page lost its controls and with them what it answers: its first lines now name
    the province, the plan under its scheme and each lever change with its start year. The cost per
    additional insured listed years, đồng and people without saying what the columns were."""
    s = callbacks.compute_request(dict(LAI_CHAU, levers=dict(LAI_CHAU["levers"], **{"state_share.near_poor": 100})),
                                  DRAWS, SEED)
    assert s["changed"] == {"state_share.near_poor": 1.0}
    for lang, changes, region in (("vi", "Thay đổi đang thử: ", "Lai Châu"), ("en", "Changes being tested: ", "Lai Chau")):
        title, line = callbacks.render(s, lang)["print-head"]
        assert region in title.children and title.children.endswith(i18n.t("bhyt", lang))
        assert line.children.startswith(changes) and "100%" in line.children and "2017" in line.children
        table = callbacks.render(s, lang)["per-insured"].children[1]
        head = [c.children for c in table.children[0].children]
        assert head == [i18n.t("year", lang), i18n.t("per_insured_col", lang), i18n.t("extra_insured_col", lang)]
        assert all(len(r.children) == 3 for r in table.children[1:])
        # the price of a person insured with its band over the draws, in the language's numbers
        assert all(("khoảng dự báo 80%" if lang == "vi" else "80% band") in r.children[1].children for r in table.children[1:])
    plain = callbacks.compute_request(dict(LAI_CHAU, scenario="lai_chau", levers={}), DRAWS, SEED)
    assert plain["changed"] == {}
    title, line = callbacks.render(plain, "vi")["print-head"]
    assert title.children.count("Lai Châu") == 1  # the baseline's name gives its region: not said twice
    assert line.children == "Không thay đổi chính sách của kịch bản."


def test_the_budget_cards_heading_follows_the_scheme():
    """The BHXH page's budget card was headed "(and health insurance fund revenue)", which it has not."""
    from covsim.dashboard import views

    assert views.budget_heading("bhyt", "vi") == "Ngân sách nhà nước (và thu quỹ BHYT)"
    assert views.budget_heading("bhxh", "vi") == "Ngân sách nhà nước (hỗ trợ người tham gia BHXH tự nguyện đóng)"
    assert views.budget_heading("bhtn", "en") == "State budget"
    assert all("BHYT" not in views.budget_heading(s, "vi") for s in ("bhxh", "bhtn"))


def test_a_scenario_compared_with_itself_unchanged_says_so_instead_of_equal_numbers():
    """The page's default compares the scenario with itself: a card of equal probabilities and costs
    and a flat zero chart. Until a lever moves (or another scenario is picked) it says so instead."""
    same = callbacks.compute_request(dict(LAI_CHAU, scenario="lai_chau", levers={}), DRAWS, SEED)
    assert same["compare"]["name"] == same["scenario"] and not same["changed"]
    for lang in ("vi", "en"):
        card = callbacks.render(same, lang)["comparison"]
        assert card.children == i18n.t("compare_same", lang)
    moved = callbacks.compute_request(dict(LAI_CHAU, scenario="lai_chau", levers={"state_share.near_poor": 100}),
                                      DRAWS, SEED)
    assert moved["changed"] and "Graph" in str(callbacks.render(moved, "vi")["comparison"])


def test_as_of_a_day_before_the_target_was_set_the_target_line_says_so():
    """As of 2014 the page asked Lai Châu's 96.8% of Decision 1167 (28 June 2016) while its note said
    the forecast knew only targets decided by then: the line under the target box now says the
    target came later and is only the question asked; from 2016's end on it says nothing more."""
    from datetime import date

    from covsim.dashboard import views

    plain = views.target_note("lai_chau", "bhyt", 2016, 2030, "vi")
    assert "1167" in plain and "sau ngày" not in plain
    assert views.target_note("lai_chau", "bhyt", 2016, 2030, "vi", date(2016, 12, 31)) == plain
    before = views.target_note("lai_chau", "bhyt", 2016, 2030, "vi", date(2014, 12, 31))
    assert before.startswith(plain) and "được đặt sau ngày 31/12/2014" in before
    assert "set after 2014-12-31" in views.target_note("lai_chau", "bhyt", 2016, 2030, "en", date(2014, 12, 31))
