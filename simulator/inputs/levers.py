"""The lever registry: every policy lever a scenario, `solve`, `sensitivity` and the dashboard know.

A lever is declared once, here. Scenario validation (paths, groups, ranges), which policy key a
reform sets (national or the region's own), which levers `solve` may move, which `sensitivity`
varies, and the dashboard's controls and labels are all read from `LEVERS`. Adding a lever that
sets an existing policy parameter is one entry below (see docs/extending.md); a lever on a new
parameter also needs the engine to read that parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import nearest
from .groups import GROUPS, STATE_SHARED
from .scheme_ids import ENFORCEMENT, HEALTH as _HEALTH, HEALTH_POLICY, LABOUR_POLICY, SCHEMES, VOLUNTARY

HEALTH = (_HEALTH,)
#: The groups the dashboard and `sensitivity` offer for a group lever unless it names its own: the
#: voluntary ones, whose premium a subsidy prices.
OFFERED_GROUPS = tuple(g.id for g in GROUPS if g.voluntary)


#: The policy parameters `covsim sensitivity` can vary (analysis/sensitivity.py's fast path): the
#: premium's state share and the province's top-up, and the drive's strength.
SHARE_PARAMETERS = ("state_share", "local_top_up")
DRIVE_PARAMETERS = ("drive",)
SENSITIVITY_PARAMETERS = (*SHARE_PARAMETERS, *DRIVE_PARAMETERS)


@dataclass(frozen=True)
class Lever:
    """A reform path's head: the dated policy parameter it sets, for which groups, and its range.

    `regional`: a reform sets the scenario region's own value (else the national one).
    `solvable`: `covsim solve` may move it (it prices the state's cost of premium shares).
    `sensitivity`: `covsim sensitivity` varies it (its fast path rewrites the premium's state share
    and adds the drive's log-odds draw by draw, so parameter `state_share`, `local_top_up` or
    `drive`). `dashboard`: the
    page shows a box for it, `kind` says how (share in %, VND, log-odds, drive strength), and the
    briefing shows its value so. `assumed`: its strength is the user's own (no plan states it).
    """

    name: str
    parameter: str
    lo: float
    hi: float
    unit: str
    schemes: tuple[str, ...]
    label: dict[str, str]
    description: dict[str, str]
    groups: tuple[str, ...] = ()  # empty: the lever takes no group
    regional: bool = False
    solvable: bool = False
    sensitivity: bool = False
    dashboard: bool = False
    kind: str = "number"  # share | vnd | logodds | drive | number: the unit its value is shown in
    assumed: bool = False  # its strength is the user's own setting: no plan states it, no data measure it
    retired: bool = False  # read in older scenario files, offered nowhere new (the reform workbook's list)
    offered: tuple[str, ...] = field(default=OFFERED_GROUPS)  # groups the page and sensitivity offer
    column: dict[str, str] = field(default_factory=dict)  # the page's table header (group levers)

    def __post_init__(self):
        # A lever on a parameter no run reads (a misspelt `local_topup`) ran without effect, said
        # nothing, and let `check-data` accept data rows of that name too.
        read = HEALTH_POLICY + LABOUR_POLICY
        if self.parameter not in read:
            raise ValueError(f"lever {self.name!r}: parameter {self.parameter!r} is read by no run"
                             f"{nearest(self.parameter, read)}; allowed: {', '.join(read)}, "
                             f"or make the engine read it first (docs/extending.md)")
        # `sensitivity` varies a premium's state share and a drive's strength only (its fast path):
        # a lever declared for it on another parameter made every default `covsim sensitivity` fail.
        if self.sensitivity and self.parameter not in SENSITIVITY_PARAMETERS:
            raise ValueError(f"lever {self.name!r}: sensitivity=True needs a parameter it can vary, one of "
                             f"{', '.join(SENSITIVITY_PARAMETERS)}, not {self.parameter!r}")
        # A group lever the page or `sensitivity` is to show, with none of its groups offered, would
        # vanish from both without a word (a contributor's `groups=("poor",)` under the default offer).
        if self.groups and (self.dashboard or self.sensitivity) and not self.offered_paths():
            raise ValueError(f"lever {self.name!r}: dashboard/sensitivity offer none of its groups "
                             f"{', '.join(self.groups)}; give offered=(...) from them")

    def describe(self) -> str:
        return f"[{self.lo:g}, {self.hi:g}] {self.unit}"

    def paths(self) -> list[str]:
        """Every reform path of the lever, e.g. 'state_share.near_poor'."""
        return [f"{self.name}.{g}" for g in self.groups] if self.groups else [self.name]

    def offered_paths(self) -> list[str]:
        """The paths the dashboard and `sensitivity` offer: the offered groups it has."""
        return [f"{self.name}.{g}" for g in self.offered if g in self.groups] if self.groups else [self.name]


def _levers(*levers: Lever) -> dict[str, Lever]:
    return {lever.name: lever for lever in levers}


LEVERS: dict[str, Lever] = _levers(
    Lever("state_share", "state_share", 0.0, 1.0, "share of the premium", HEALTH, groups=STATE_SHARED,
          regional=True, solvable=True, sensitivity=True, dashboard=True, kind="share",
          label={"vi": "Tỷ lệ NSNN hỗ trợ", "en": "State share of the premium"},
          description={"vi": "Phần mức đóng BHYT do ngân sách nhà nước (trung ương và địa phương) chi trả cho nhóm; "
                             "là toàn bộ phần ngân sách chi trả, nên mức địa phương hỗ trợ thêm cho nhóm đó khi ấy "
                             "không còn tác dụng.",
                       "en": "The part of the group's health-insurance premium the state budget pays, national and "
                             "local together: a local top-up of the group beside it then changes nothing."},
          column={"vi": "NSNN (%)", "en": "State (%)"}),
    Lever("local_top_up", "local_top_up", 0.0, 1.0, "share of the premium", HEALTH, groups=STATE_SHARED,
          regional=True, solvable=True, dashboard=True, kind="share",
          label={"vi": "Địa phương hỗ trợ thêm", "en": "Local top-up"},
          description={"vi": "Phần mức đóng BHYT tỉnh hỗ trợ thêm từ ngân sách địa phương, ngoài mức trung ương.",
                       "en": "The province's own budget support on top of the national state share."},
          column={"vi": "Địa phương (%)", "en": "Local (%)"}),
    # From 100,000 VND a month: the lowest base salary was 540,000 (2008); a value typed in millions
    # ('2,5') or thousands ('2.340') is refused, not run as a few đồng.
    Lever("base_salary", "base_salary", 100_000.0, 1e9, "VND/month", HEALTH, dashboard=True, kind="vnd",
          label={"vi": "Mức lương cơ sở (đồng/tháng)", "en": "Base salary (VND/month)"},
          description={"vi": "Mức lương cơ sở làm căn cứ tính mức đóng BHYT theo hộ gia đình và nhóm được hỗ trợ.",
                       "en": "The base salary on which household and subsidised premiums are computed."}),
    Lever("premium_rate", "premium_rate", 0.0, 0.06, "share of the base salary (the law allows up to 6%)", HEALTH,
          kind="share",
          label={"vi": "Mức đóng BHYT (% lương cơ sở)", "en": "Premium rate (share of the base salary)"},
          description={"vi": "Mức đóng BHYT tính theo lương cơ sở; luật cho phép tối đa 6%.",
                       "en": "The health-insurance premium as a share of the base salary; the law allows up to 6%."}),
    Lever("household_member_factor", "household_member_factor", 0.0, 1.0, "of the first member's premium", HEALTH,
          groups=("1", "2", "3", "4", "5"), kind="share",
          label={"vi": "Hệ số đóng theo thứ tự thành viên hộ", "en": "Household member discount"},
          description={"vi": "Mức đóng của thành viên thứ 1, 2, 3, 4 và thứ 5 trở đi trong hộ (bậc 1 đến 5), "
                                 "so với mức đóng đầy đủ của người thứ nhất.",
                       "en": "What the 1st, 2nd, 3rd, 4th and 5th and later household members pay (ranks 1 to 5), "
                             "relative to the first member's full premium."}),
    # Kept for older scenario files; not on the page or in the briefing, whose drive is `drive`: a
    # log-odds shift is no unit a planner can choose (issue 38), and two drive boxes side by side confuse.
    Lever("outreach", "outreach", -5.0, 5.0, "log-odds shift of joining (administrative drive)", HEALTH,
          regional=True, kind="logodds", assumed=True, retired=True,
          label={"vi": "Vận động, tuyên truyền (mức tự đặt, 0 = không đổi)", "en": "Outreach (log-odds)"},
          description={"vi": "Chiến dịch vận động của tỉnh: dịch chuyển khả năng tham gia BHYT, theo thang logarit "
                             "tỷ số chênh; mức giả định, không có số liệu đối chiếu.",
                       "en": "The province's enrolment drive: a shift in the log-odds of joining health insurance."}),
    Lever("drive", "drive", 0.0, 3.0, "strength of an enrolment drive, 1 = the nation's 2016-2020 drive "
          "(Decision 1167's targets; fitted effect, assumed cost)", HEALTH, regional=True, solvable=True,
          sensitivity=True, dashboard=True, kind="drive",
          label={"vi": "Cường độ vận động tham gia BHYT", "en": "Enrolment drive strength"},
          description={"vi": "Cường độ chiến dịch vận động tham gia BHYT: 1 bằng đợt vận động toàn quốc theo "
                             "Quyết định 1167/QĐ-TTg (2016-2020); hiệu quả ước lượng, chi phí giả định.",
                       "en": "Strength of a health-insurance enrolment drive: 1 is the national drive that answered "
                             "Decision 1167/QD-TTg (2016-2020); its effect is estimated, its cost assumed."}),
    # Labour-force schemes (see simulator/schemes/labour.py).
    Lever("voluntary_subsidy", "voluntary_bhxh_subsidy", 0.0, 1.0, "state share of the voluntary BHXH contribution",
          VOLUNTARY, groups=("poor", "near_poor", "other"), offered=("poor", "near_poor", "other"),
          solvable=True, dashboard=True, kind="share",
          label={"vi": "NSNN hỗ trợ đóng BHXH tự nguyện", "en": "State support of voluntary BHXH"},
          description={"vi": "Phần mức đóng BHXH tự nguyện do nhà nước hỗ trợ cho người nghèo, cận nghèo và người khác.",
                       "en": "The state's share of the voluntary social-insurance contribution, by income group."},
          column={"vi": "NSNN hỗ trợ BHXH tự nguyện (%)", "en": "State support, voluntary BHXH (%)"}),
    # One payroll declaration carries BHYT, BHXH and BHTN: employers' compliance is employees' BHYT
    # coverage too (docs/model.md), so the lever acts on every scheme.
    Lever("enforcement", ENFORCEMENT, -5.0, 5.0, "log-odds shift of employers' compliance with compulsory "
          "contributions (BHXH, BHTN and employees' BHYT; inspections)",
          SCHEMES, dashboard=True, kind="logodds", assumed=True,
          label={"vi": "Thanh tra, kiểm tra doanh nghiệp (mức tự đặt, 0 = không đổi)", "en": "Enforcement (log-odds)"},
          description={"vi": "Thanh tra, kiểm tra doanh nghiệp: dịch chuyển khả năng tuân thủ đóng BHXH, BHTN và "
                             "BHYT bắt buộc của người lao động, theo thang logarit tỷ số chênh.",
                       "en": "Inspections of employers: a shift in the log-odds of compliance with compulsory "
                             "BHXH, BHTN and employees' BHYT contributions."}),
    Lever("voluntary_outreach", "voluntary_outreach", -5.0, 5.0, "log-odds shift of joining voluntary BHXH (drives)",
          VOLUNTARY, dashboard=True, kind="logodds", assumed=True,
          label={"vi": "Vận động BHXH tự nguyện (mức tự đặt, 0 = không đổi)", "en": "Voluntary BHXH drives (log-odds)"},
          description={"vi": "Vận động tham gia BHXH tự nguyện: dịch chuyển khả năng tham gia, theo thang logarit "
                             "tỷ số chênh.",
                       "en": "Drives for voluntary social insurance: a shift in the log-odds of joining."}),
)


def lever_of(path: str) -> Lever:
    """The lever of a reform path ('state_share.near_poor' -> the state share)."""
    return LEVERS[path.partition(".")[0]]


def lever_paths() -> list[str]:
    """Every valid reform path, e.g. 'state_share.near_poor'."""
    return [p for lever in LEVERS.values() for p in lever.paths()]


def offered_paths() -> list[str]:
    """The reform paths offered to a planner writing a new scenario (the workbook's list): every one
    but a retired lever's, which older files may still set."""
    return [p for lever in LEVERS.values() if not lever.retired for p in lever.paths()]


def solvable_paths() -> list[str]:
    return [p for lever in LEVERS.values() if lever.solvable for p in lever.paths()]


def sensitivity_paths() -> list[str]:
    """The lever paths `sensitivity` varies by default."""
    return [p for lever in LEVERS.values() if lever.sensitivity for p in lever.offered_paths()]


def schemes_with(capability: str) -> tuple[str, ...]:
    """The schemes with a lever that has `capability` ('solvable', 'sensitivity'): those `solve`
    or `sensitivity` can work on."""
    return tuple(s for s in SCHEMES if any(getattr(lever, capability) and s in lever.schemes
                                           for lever in LEVERS.values()))


def dashboard_levers() -> list[Lever]:
    return [lever for lever in LEVERS.values() if lever.dashboard]


# A reform's checks against the registry: one wording for a TOML reform and an Excel one ------------

def path_problem(path: str) -> str | None:
    """Why `path` is not a reform path (unknown lever or group, a group where none is taken), or None.

    The one wording for a TOML reform and an Excel one."""
    name, _, group = path.partition(".")
    if name not in LEVERS:
        return f"unknown lever{nearest(path, lever_paths())}; allowed: {', '.join(LEVERS)}"
    lever = LEVERS[name]
    if lever.groups and not group:
        return f"'{name}' is set per group: name one, as '{name}.GROUP'; allowed groups: {', '.join(lever.groups)}"
    if lever.groups and group not in lever.groups:
        what = "group" if name != "household_member_factor" else "member rank"
        return f"unknown {what} '{group}'{nearest(group, lever.groups)}; allowed: {', '.join(lever.groups)}"
    if not lever.groups and group:
        return f"'{name}' takes no group; write '{name}' = {{YEAR = VALUE}}"
    return None


def year_problem(year: int, start: int, end: int) -> str | None:
    return None if start < year <= end else f"year outside the scenario's years {start + 1}..{end}"


def value_problem(path: str, v) -> str | None:
    """Why `v` is not a value of the lever of `path` (not a number, out of its range), or None."""
    lever = LEVERS[path.partition(".")[0]]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return f"'{v}' is not a number; allowed: {lever.describe()}"
    if not lever.lo <= float(v) <= lever.hi:
        # a share typed in percent (near_poor=90): the share it means, as --target says
        hint = (f" (did you mean {float(v) / 100:g}?)" if lever.kind == "share" and 2 <= float(v) <= 100
                and lever.lo <= float(v) / 100 <= lever.hi else "")
        return f"{v} is out of range{hint}; allowed: {lever.describe()}"
    return None
