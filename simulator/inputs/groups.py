"""Membership groups of the 2014 Health Insurance Law (Law 46/2014/QH13), with model subgroups.

The law sorts participants by who pays the premium; the model keeps the subgroups whose state share
or behaviour differ (near-poor, pupils and students, farm households) apart.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    id: str
    law_group: int
    payer: str  # who pays the premium: employer, social_insurance, state, shared, household
    label_en: str
    label_vi: str

    @property
    def voluntary(self) -> bool:
        """Enrolment is a choice priced by the net premium (law groups 4 and 5)."""
        return self.payer in ("shared", "household")


GROUPS: tuple[Group, ...] = (
    Group("employee", 1, "employer", "Employees and civil servants", "Người lao động, cán bộ công chức"),
    Group("pensioner", 2, "social_insurance", "Pensioners and social-insurance beneficiaries",
          "Người hưởng lương hưu, trợ cấp BHXH"),
    Group("poor", 3, "state", "Poor households", "Người thuộc hộ nghèo"),
    Group("child_under6", 3, "state", "Children under 6", "Trẻ em dưới 6 tuổi"),
    Group("other_state_paid", 3, "state",
          "Other state-paid (ethnic minorities in difficult areas, people of merit, social protection)",
          "Đối tượng khác do NSNN đóng (DTTS vùng khó khăn, người có công, bảo trợ xã hội)"),
    Group("near_poor", 4, "shared", "Near-poor households", "Người thuộc hộ cận nghèo"),
    Group("pupil_student", 4, "shared", "Pupils and students", "Học sinh, sinh viên"),
    Group("farm_household", 4, "shared",
          "Farm/forestry/fishery/salt households of average living standard",
          "Hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình"),
    Group("household", 5, "household", "Household group", "Người tham gia BHYT theo hộ gia đình"),
)

GROUP_IDS: tuple[str, ...] = tuple(g.id for g in GROUPS)
BY_ID: dict[str, Group] = {g.id: g for g in GROUPS}

#: Groups whose premium the state may share: fully paid, part-paid, or topped up locally.
STATE_SHARED: tuple[str, ...] = tuple(g.id for g in GROUPS if g.payer in ("state", "shared", "household"))


def figure_groups(group: str) -> list[str] | None:
    """The model groups a coverage figure's group stands for ('all', a model group's id, a law
    group 'law3', or ids joined by '+'), or None for a group no fit reads (a six-group plan's):
    declared once for the health fit, which reads the figure against these groups, and for the
    engine, whose walk starts after the last figure the fit read."""
    if group == "all":
        return list(GROUP_IDS)
    if group.startswith("law") and group[3:].isdigit():
        return [g.id for g in GROUPS if g.law_group == int(group[3:])] or None
    parts = group.split("+")
    return parts if all(p in GROUP_IDS for p in parts) else None
