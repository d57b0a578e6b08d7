"""The administrative units as data: the shipped regions.csv against the packages it is built from,
the registry read from it, and a region added by data rows only."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from covsim.simulator.inputs import tables as data
from covsim.simulator.inputs import regions
from covsim.simulator.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("make_regions", ROOT / "tools" / "make_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_csv_is_what_the_package_generates():
    tool = _tool()
    shipped = (Path(data.data_dir()) / "regions.csv").read_text(encoding="utf-8")
    assert shipped == tool.render(tool.rows()), "regenerate with tools/make_regions.py"


def test_the_34_units_match_vietnam_provinces():
    from vietnam_provinces import Province

    reg = regions.load(Path(data.data_dir()))
    after = {int(r.code): r for r in reg.values() if r.kind == "province"}
    other = {p.code.value: p for p in Province.iter_all()}
    assert set(after) == set(other) and len(after) == 34
    for code, p in other.items():
        # vietnam-provinces writes 'Thành phố Hà Nội' for cities and the bare name for provinces
        assert p.name.removeprefix("Thành phố ") == after[code].name_vi.removeprefix("TP. ")


def test_mapping_follows_the_resolution():
    reg = regions.load(Path(data.data_dir()))
    before = [r for r in reg.values() if r.kind == "province_pre2025"]
    after = [r for r in reg.values() if r.kind == "province"]
    assert len(before) == 63 and len(after) == 34
    assert sorted(m for r in after for m in r.members) == sorted(r.id for r in before)  # each former unit once
    assert sum(len(r.members) > 1 for r in after) == 23  # 52 former units form 23 new ones, 11 unchanged
    expect = {
        "ho_chi_minh_city_2025": {"ho_chi_minh_city", "binh_duong", "ba_ria_vung_tau"},
        "dong_nai_2025": {"dong_nai", "binh_phuoc"},
        "can_tho_2025": {"can_tho", "soc_trang", "hau_giang"},
        "vinh_long_2025": {"vinh_long", "ben_tre", "tra_vinh"},
        "lai_chau_2025": {"lai_chau"},
        "tuyen_quang_2025": {"ha_giang", "tuyen_quang"},
    }
    for new, old in expect.items():
        assert set(reg[new].members) == old
        assert all(reg[o].parent == new for o in old)
    assert set(reg[regions.NATIONAL].members) == {r.id for r in after}


def test_populations_are_one_measure_and_year_and_the_resolutions_are_kept():
    reg = regions.load(Path(data.data_dir()))
    table = data.read_table("regions", Path(data.data_dir())).set_index("id")
    former = table[table.unit_kind == "province_pre2025"]
    # Every former province carries the GSO's average population of 2011, sourced on its row.
    assert len(former) == 63 and (former.population_year == 2011).all() and (former.population_kind == "observed").all()
    assert former.population.notna().all() and former.source.str.contains("Statistical Yearbook 2011").all()
    assert (former.loc["ho_chi_minh_city", "population"], former.loc["bac_kan", "population"]) == (7521100, 298700)
    units = [r for r in reg.values() if r.kind == "province"]
    for r in units:  # a 2025 unit's population is its former provinces' figures of that year, added
        assert r.population_year == 2011 and r.population == sum(former.loc[m, "population"] for m in r.members)
    assert reg["ho_chi_minh_city_2025"].population == 7521100 + 1691400 + 1027200
    # The resolution's own figure stays beside it, with its source.
    assert reg["ho_chi_minh_city_2025"].population_resolution == 14002598
    assert reg["tuyen_quang_2025"].population_resolution == 1865270
    merged = [r for r in units if len(r.members) > 1]
    assert all(r.population_resolution and "202/2025/QH15" in r.source for r in merged)
    unchanged = [r for r in units if len(r.members) == 1]
    assert len(unchanged) == 11 and reg["hanoi_2025"].population_resolution == 8807523
    # The resolution states none for them: a secondary list's, which says so on every row.
    assert all(r.population_resolution and "countries-dictionary" in r.source and "secondary" in r.source
               for r in unchanged)
    country = reg[regions.NATIONAL]
    assert (country.population, country.population_year) == (87840000, 2011) and "GSO" in country.source
    assert "101,112,656" in country.note  # the latest national figure, of another year, stays named
    # A former province the model runs shows the population its runs use, not the 2011 figure.
    assert reg["ho_chi_minh_city"].runnable and reg["ho_chi_minh_city"].population_year != 2011


def test_population_check_flags_a_gap_and_missing_units():
    reg = regions.load(Path(data.data_dir()))
    a, b = regions.Region("a", "A", "A", "province", "vietnam", population=60.0, population_year=2030), \
        regions.Region("b", "B", "B", "province", "vietnam", population=40.0, population_year=2030)
    country = regions.Region("vietnam", "Toàn quốc", "Vietnam", "country", "", population=100.2, population_year=2030)
    assert regions.population_check({"vietnam": country, "a": a, "b": b})["ok"]
    off = regions.Region("vietnam", "", "", "country", "", population=101.0, population_year=2030)
    assert not regions.population_check({"vietnam": off, "a": a, "b": b})["ok"]
    stale = regions.Region("vietnam", "", "", "country", "", population=100.2, population_year=2029)
    late = regions.population_check({"vietnam": stale, "a": a, "b": b})
    assert not late["ok"] and late["gap"] < 0.005 and late["national_year"] == 2029  # another year: not met
    gone = regions.Region("b", "B", "B", "province", "vietnam")
    short = regions.population_check({"vietnam": country, "a": a, "b": gone})
    assert not short["ok"] and short["missing"] == ["b"]
    shipped = regions.population_check(reg)
    # Every one of the 34 has a figure of 2011; they add up to the GSO's national figure of 2011.
    assert shipped["units"] == 34 and shipped["missing"] == [] and shipped["sum"] == 87840000
    assert (shipped["national"], shipped["national_year"], shipped["year"]) == (87840000, 2011, 2011)
    assert shipped["ok"] and shipped["gap"] < 0.005
    # The resolution's figures, of another measure, would not: their sum is 29% above the 2011 country.
    stated = {k: (r if r.kind != "province" else regions.Region(r.id, r.name_vi, r.name_en, r.kind, r.parent,
                                                              population=r.population_resolution,
                                                              population_year=2011))
              for k, r in reg.items()}
    assert regions.population_check(stated)["sum"] == 113571956 and not regions.population_check(stated)["ok"]


def test_goal_34_provinces_sum_to_the_nation():
    """Issue 40: the 34 units' populations add up to the country's of the same year within 0.5%."""
    check = regions.population_check(regions.load(Path(data.data_dir())))
    assert check["ok"] and check["units"] == 34 and check["year"] == check["national_year"]


def _copy_data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    return folder


def _append(path: Path, *lines: str):
    with path.open("a", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")


def add_region(folder: Path, rid: str = "dien_bien", people: int = 600000):
    """A province added by data rows only: its population (regions.csv already lists Điện Biên)."""
    _append(folder / "population.csv", f"{rid},2019,{people},persons,assumed,test fixture,")


def test_registry_refuses_faults_with_one_line(tmp_path):
    folder = _copy_data(tmp_path)
    _append(folder / "regions.csv", "lai_chau,X,X,province_pre2025,12,lai_chau_2025,,,,,,test,,")
    with pytest.raises(InputError, match="regions.csv: row 100.*appears twice"):
        regions.load(folder)
    folder = _copy_data(tmp_path / "b")
    _append(folder / "population.csv", "atlantis,2019,1000,persons,assumed,test,")
    with pytest.raises(InputError, match="atlantis: has rows in population.csv but none here"):
        regions.load(folder)
    folder = _copy_data(tmp_path / "c")
    _append(folder / "regions.csv", "atlantis,A,A,province,,nowhere,,,,,,test,,")
    with pytest.raises(InputError, match="column 'parent'"):
        regions.load(folder)


def covsim(*args, env=None):
    import os

    full = dict(os.environ, **(env or {}))
    return subprocess.run([str(Path(sys.executable).parent / "covsim"), *args], capture_output=True, text=True,
                          env=full, timeout=600)


def test_a_region_added_by_data_rows_is_listed_and_runnable(tmp_path):
    folder = _copy_data(tmp_path)
    add_region(folder)
    env = {"COVSIM_DATA_DIR": str(folder)}
    assert "dien_bien" in regions.load(folder) and regions.load(folder)["dien_bien"].runnable
    listed = covsim("regions", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout)["regions"] if r["id"] == "dien_bien")
    assert row["name_vi"] == "Điện Biên" and row["population"] == 600000 and row["calibrated"] is False
    out = tmp_path / "run.nc"  # no scenario file: the region's default baseline, the national policy in force
    ran = covsim("run", "--draws", "2", "--out", str(out), "dien_bien", env=env)
    assert ran.returncode == 0, ran.stderr
    assert out.exists()
    notice = [line for line in ran.stderr.splitlines() if "dien_bien" in line and "prior" in line]
    assert len(notice) == 1, ran.stderr
    import xarray as xr

    with xr.open_dataset(out) as ds:
        assert ds.attrs["calibrated"] == 0 and "samples the priors" in ds.attrs["calibration_note"]
        assert "no calibrated posterior for region 'dien_bien'" in ds.attrs["parameters"]


DASHBOARD = """
import json
from covsim.dashboard import briefing, callbacks, compute, i18n
req = {"id": 1, "scenario": "dien_bien", "scheme": "bhyt", "start": 2020, "target": 90, "year": 2025,
       "compare": "", "levers": {}}
s = callbacks.compute_request(req, 20, 0)
assert "error" not in s, s.get("error")
shown = callbacks.render(s, "en")["probability"]
print(json.dumps({"offered": "dien_bien" in compute.REGIONS, "label": i18n.region_name("dien_bien", "vi"),
                  "calibrated": s["assumptions"]["calibrated"], "shown": str(shown),
                  "briefing": i18n.t("on_priors", "vi") in briefing.briefing_html(s, "vi")}))
"""


def test_dashboard_offers_an_added_region_and_says_it_is_on_priors(tmp_path):
    import os

    folder = _copy_data(tmp_path)
    add_region(folder)
    done = subprocess.run([sys.executable, "-c", DASHBOARD], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, COVSIM_DATA_DIR=str(folder)))
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["offered"] and got["label"] == "Điện Biên" and got["calibrated"] is False
    assert "on-priors" in got["shown"] and "Not calibrated: " in got["shown"] and got["briefing"]
    assert sum("dien_bien" in line and "prior" in line for line in done.stderr.splitlines()) == 1


def test_regions_json_lists_the_34_provinces_and_the_country():
    done = covsim("regions", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["regions"]
    keys = {"id", "name_vi", "name_en", "kind", "members", "population", "population_year", "calibrated",
            "observations"}
    assert all(keys <= set(r) for r in rows)
    by_kind = {k: [r for r in rows if r["kind"] == k] for k in regions.UNIT_KINDS}
    assert len(by_kind["country"]) == 1 and len(by_kind["province"]) == 34 and len(by_kind["province_pre2025"]) == 63
    nation = by_kind["country"][0]
    assert nation["id"] == regions.NATIONAL and len(nation["members"]) == 34
    assert nation["calibrated"] and nation["observations"] > 0
    calibrated = {r["id"] for r in rows if r["calibrated"]}
    assert calibrated == {"vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long"}
    hcmc = next(r for r in rows if r["id"] == "ho_chi_minh_city_2025")
    assert hcmc["name_vi"] == "TP. Hồ Chí Minh" and hcmc["population"] == 10239700 and not hcmc["calibrated"]
    assert hcmc["population_year"] == 2011 and hcmc["population_resolution"] == 14002598
    assert all(r["population"] and r["population_kind"] == "observed" and r["population_resolution"]
               for r in by_kind["province"])
    assert sum(r["population"] for r in by_kind["province"]) == nation["population"] == 87840000
    check = json.loads(done.stdout)["population_check"]
    assert (check["units"], check["sum"], check["national"], check["ok"]) == (34, 87840000, 87840000, True)
    lines = covsim("regions").stdout.splitlines()
    assert lines[-1].startswith("34 provinces sum to 87,840,000 (2011) against the country's 87,840,000 (2011) "
                                "(0.0% apart): within 0.5% (met)")
    assert "Resolution 202/2025/QH15" in lines[-2] and "(2011)  14,002,598  runs as" in next(
        line for line in lines if line.startswith("ho_chi_minh_city_2025"))
    assert lines[0].index("resolution") < lines[0].index("status")  # its own column, headed
    text = covsim("regions", "--kind", "province")
    assert text.returncode == 0 and len(text.stdout.splitlines()) == 36  # a header, 34 units, which measure is which
    assert text.stdout.splitlines()[0].split()[:3] == ["id", "kind", "name"]
    assert "ho_chi_minh_city_2025" in text.stdout and "binh_duong" in text.stdout
    assert text.stdout.splitlines()[-1].startswith("population: the GSO's average population")
    # a population no source confirms says so where it stands; a former province without a fit runs on
    # its part of its unit's draws, and says so
    former = covsim("regions", "--kind", "province_pre2025").stdout.splitlines()
    ben_tre = next(line for line in former if line.startswith("ben_tre "))
    assert "(2019, assumed)" in ben_tre and "its part of vinh_long_2025's draws" in ben_tre
    assert next(r for r in rows if r["id"] == "ben_tre")["draws_of_unit"] == "vinh_long_2025"
    assert next(r for r in rows if r["id"] == "vinh_long")["draws_of_unit"] is None


def test_regions_counts_every_figure_the_fit_counts():
    """`covsim regions` counted the nation's 17 coverage figures where its fit (and `covsim
    forecast`) counts 18: the 18th is one group's (the near-poor's in 2011). Both are listed."""
    import xarray as xr

    from covsim.calibration import shipped
    from covsim.cli.regions import rows

    nation = next(r for r in rows() if r["id"] == regions.NATIONAL)
    with xr.open_dataset(shipped.path_for(regions.NATIONAL)) as post:
        fitted = int(post.attrs["own_observations"])
    assert nation["group_observations"] >= 1
    assert nation["observations"] + nation["group_observations"] == fitted
    line = next(line for line in covsim("regions", "--kind", "country").stdout.splitlines() if line.startswith("vietnam"))
    assert f"{nation['observations']} obs + {nation['group_observations']} of a group" in line


@pytest.mark.parametrize("typed, said", [
    # a name, with or without its diacritics: both ids that bear it, each said for what it is
    ("Vĩnh Long", "('Vĩnh Long' is the name of 'vinh_long' (the province before 1 Jul 2025) and 'vinh_long_2025' "
                  "(the unit since 1 Jul 2025))"),
    ("TP. Cần Thơ", "'can_tho' (the province before 1 Jul 2025) and 'can_tho_2025' (the unit since 1 Jul 2025)"),
    ("Viet Nam", "('Viet Nam' is the name of 'vietnam')"),
    # a district: abolished, not a region, and where its targets are (the nearest id was 'binh_duong')
    ("tam_duong", "'tam_duong' is a district of lai_chau, Huyện Tam Đường: districts were abolished on 1 Jul 2025"),
    # a typo of a former province: the unit it is part of now is named too
    ("vinh_lon", "(did you mean 'vinh_long', or 'vinh_long_2025', the unit it has been part of since 1 Jul 2025?)"),
    # another year, or initials: spelling alone offered 'can_tho_2025' for 'hcm_2025', nothing for 'can_tho_2026'
    ("can_tho_2026", "(did you mean 'can_tho_2025'?)"),
    ("hcm_2025", "(did you mean 'ho_chi_minh_city_2025'?)"),
    ("hcmc", "(did you mean 'ho_chi_minh_city', or 'ho_chi_minh_city_2025'"),
    # a listed province without data, typed with a separator or by its name: it, not the nearest
    # runnable spelling ('ha_noi' offered 'hau_giang')
    ("ha_noi", "'ha_noi' is TP. Hà Nội in `covsim regions`: 'hanoi_2025' (the unit since 1 Jul 2025) and 'hanoi' "
               "(the province before 1 Jul 2025), with no population and coverage data to run"),
    ("Hà Nội", "'Hà Nội' is TP. Hà Nội in `covsim regions`"),
])
def test_a_region_typed_by_name_or_as_a_district_is_pointed_to_its_ids(typed, said):
    from covsim.simulator.inputs import regions

    allowed = [r for r in regions.registry() if regions.registry()[r].runnable] + regions.mergeable()
    assert said in regions.unknown(typed, allowed)
    assert "hau_giang" not in regions.unknown(typed, allowed)


def test_a_listed_province_typed_as_a_scenario_is_named_not_a_nearby_spelling():
    """`covsim run ha_noi` offered 'hau_giang': the scenario lookup finds the catalogue's Hà Nội."""
    from covsim.simulator.errors import InputError
    from covsim.simulator.inputs import scenario

    with pytest.raises(InputError) as caught:
        scenario.load("ha_noi")
    assert "'hanoi_2025' (the unit since 1 Jul 2025) and 'hanoi'" in str(caught.value)
    assert "hau_giang" not in str(caught.value).split("allowed:")[0]


def test_a_2025_units_year_before_it_began_is_said_as_its_territorys():
    """`target can_tho_2025 --year 2024` answered as if the unit had existed; the note says whose
    figures those are (a planner's unit began on 1 July 2025)."""
    from covsim.simulator.inputs.regions import former_note

    assert former_note("can_tho_2025", 2024) == ("can_tho_2025 began on 1 Jul 2025: its 2024 is its territory's, the "
                                                 "figures of its former provinces together (can_tho, hau_giang, "
                                                 "soc_trang)")
    assert "the figures of lai_chau, the same territory" in former_note("lai_chau_2025", 2020)
    assert former_note("can_tho_2025", 2025) is None and former_note("vietnam", 2020) is None
