"""Names vulture cannot see used: attributes read by the libraries they are set on, and pytest's
module marker. tests/test_layers.py runs vulture with this file."""
_ = None
_.random_state  # emcee's sampler reads it (calibration/fit.py)
_.binary_location  # selenium's Chrome options read it (dashboard/process.py)
pytestmark  # pytest reads it (tests/dashboard/test_dashboard_browser.py)
_.page_height, _.page_width  # python-docx's section reads them (dashboard/brief_docx.py)
_.language, _.italic, _.bold  # python-docx's run font reads them (dashboard/brief_docx.py)
_.author, _.last_modified_by, _.subject, _.comments  # python-docx's core properties write them (dashboard/brief_docx.py)
_.drawHeight, _.drawWidth  # reportlab's Image reads them (dashboard/brief_pdf.py)
_.alignment  # openpyxl's cell reads it (dashboard/excel.py)
_.showErrorMessage  # openpyxl's data validation reads it (simulator/inputs/region_template.py)
plotly_locales  # Flask serves it (dashboard/app.py's route for the chart toolbar's locales)
_.handle_starttag, _.handle_endtag, _.handle_data  # html.parser calls them (tests/dashboard/test_i18n_exports.py)
pytest_runtest_makereport  # pytest calls the hook (tests/conftest.py)
pytest_configure  # pytest calls the hook: the session's empty user folder (tests/conftest.py)
pytest_unconfigure  # pytest calls the hook: the folder removed (tests/conftest.py)
_.f_trace, _.f_trace_lines  # the interpreter reads them: a frame's tracer (tests/simulator/test_batch.py)
