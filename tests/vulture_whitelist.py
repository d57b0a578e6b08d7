"""Names vulture cannot see used: attributes read by the libraries they are set on, and pytest's
module marker. tests/test_layers.py runs vulture with this file."""
_ = None
_.random_state  # emcee's sampler reads it (calibration/fit.py)
_.binary_location  # selenium's Chrome options read it (dashboard/process.py)
pytestmark  # pytest reads it (tests/dashboard/test_dashboard_browser.py)
