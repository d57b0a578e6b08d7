"""The schemes covsim models, declared once: social health insurance (BHYT) and the labour-force
schemes, social (BHXH) and unemployment (BHTN) insurance. Everything that lists schemes reads these."""
HEALTH = "bhyt"
LABOUR = ("bhxh", "bhtn")
SCHEMES = (HEALTH, *LABOUR)
