"""The schemes covsim models, declared once: social health insurance (BHYT) and the labour-force
schemes, social (BHXH) and unemployment (BHTN) insurance. Everything that lists schemes reads these."""
HEALTH = "bhyt"
LABOUR = ("bhxh", "bhtn")
SCHEMES = (HEALTH, *LABOUR)
#: The schemes with a voluntary branch the state subsidises and drives recruit for: BHXH only
#: (unemployment insurance has no voluntary members).
VOLUNTARY = ("bhxh",)
#: What a labour scheme's coverage can be a share of: a plan's target says which (Cần Thơ's BHTN 100%
#: is of those required to join), and `covsim target --denominator` asks for it.
LABOUR_DENOMINATORS = ("labour_force", "required")
#: The scenario's lever of employers' compliance, read by the compliance walk that both the labour
#: layer and the health engine's employees follow (simulator/schemes/compliance.py).
ENFORCEMENT = "enforcement"
#: The labour force table's parameters the labour layer reads as its inputs (by these prefixes:
#: simulator/schemes/labour.py); the table's other rows are figures its fit reads up to an origin
#: (observations.labour) or context no run reads. unverified.py lists later ones standing in by this.
LABOUR_INPUTS = ("participation.", "required_profile", "required_share", "informal_share.", "informal_income.",
                 "informal_income_growth")
#: The policy parameters the labour layer reads (simulator/schemes/labour.py); the health engine
#: reads the others and ENFORCEMENT. unverified.py lists the unconfirmed rows a run reads by this.
LABOUR_POLICY = ("retirement_age", "bhtn_scope", "voluntary_contribution_rate", "voluntary_income_floor",
                 "voluntary_bhxh_subsidy", "voluntary_outreach", ENFORCEMENT)
#: The policy parameters the health engine reads (inputs/policy.py, `policy_arrays`; a scenario's
#: `outreach` and `drive` are regional rows too).
HEALTH_POLICY = ("base_salary", "premium_rate", "employee_premium_rate", "state_share", "local_top_up",
                 "household_member_factor", "outreach", "drive")
#: Policy rows shipped for the record that no run reads (the contribution rates the premium is not
#: drawn from, the cap on the premium's reference level): allowed, so that they can be kept.
POLICY_RECORD = ("employee_contribution_rate", "employer_contribution_rate", "premium_rate_cap",
                 "reference_level_equals_base_salary")
#: The labour force table's rows besides the layer's inputs: the figures its fit reads (shares and
#: member counts, observations.labour) and the context no run reads.
LABOUR_FIGURES = ("bhxh_share", "bhtn_share", "voluntary_members", "bhtn_members", "labour_force", "bhtn_required")
