"""Simple forecasts the model must beat, fitted on the same observations (statsmodels; ARIMA's
random walk with drift in closed form).

Each takes the observed series up to an origin (one value a year: sources that disagree are
averaged) and returns, for the years asked, a point forecast and an 80% interval.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

Z80 = stats.norm.ppf(0.9)


def yearly(obs: pd.DataFrame) -> pd.Series:
    return obs.groupby("year").value.mean().sort_index()


def _regular(series: pd.Series) -> pd.Series:
    """Annual series with gaps filled by linear interpolation (ETS needs every year)."""
    full = series.reindex(range(series.index.min(), series.index.max() + 1)).interpolate()
    return pd.Series(full.to_numpy(), index=pd.period_range(str(full.index[0]), periods=len(full), freq="Y"))


def last_value(series: pd.Series, years: list[int]) -> pd.DataFrame:
    y = series.to_numpy()
    steps = np.diff(y) / np.diff(series.index.to_numpy())
    sd = float(np.std(steps, ddof=1)) if steps.size > 1 else abs(float(steps[0])) if steps.size else 0.02
    h = np.array(years) - series.index[-1]
    half = Z80 * sd * np.sqrt(h)
    return pd.DataFrame({"mean": y[-1], "lo80": y[-1] - half, "hi80": y[-1] + half}, index=years)


def _ols(x: np.ndarray, y: np.ndarray, years: list[int]) -> pd.DataFrame:
    fit = sm.OLS(y, sm.add_constant(x.astype(float))).fit()
    frame = fit.get_prediction(sm.add_constant(np.asarray(years, dtype=float), has_constant="add")).summary_frame(alpha=0.2)
    return pd.DataFrame({"mean": frame["mean"].to_numpy(), "lo80": frame["obs_ci_lower"].to_numpy(),
                         "hi80": frame["obs_ci_upper"].to_numpy()}, index=years)


def linear_trend(series: pd.Series, years: list[int]) -> pd.DataFrame:
    return _ols(series.index.to_numpy(), series.to_numpy(), years)


def logistic_trend(series: pd.Series, years: list[int], ceiling: float = 1.0) -> pd.DataFrame:
    """Linear in the log-odds of coverage over its ceiling: growth slows as coverage nears it."""
    y = np.clip(series.to_numpy() / ceiling, 1e-4, 1 - 1e-4)
    frame = _ols(series.index.to_numpy(), special.logit(y), years)
    return ceiling * special.expit(frame)


def damped_trend(series: pd.Series, years: list[int]) -> pd.DataFrame:
    regular = _regular(series)
    h = max(years) - regular.index[-1].year
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(regular, error="add", trend="add", damped_trend=True)
        fit = model.fit(disp=False)
        frame = fit.get_prediction(start=len(regular), end=len(regular) + h - 1).summary_frame(alpha=0.2)
    last = regular.index[-1].year
    index = list(range(last + 1, last + h + 1))
    out = pd.DataFrame({"mean": frame["mean"].to_numpy(), "lo80": frame["pi_lower"].to_numpy(),
                        "hi80": frame["pi_upper"].to_numpy()}, index=index)
    return out.loc[years]


def arima(series: pd.Series, years: list[int]) -> pd.DataFrame:
    """ARIMA(0,1,0) with drift: a random walk with the series' average yearly change.

    Fitted in closed form, not with statsmodels: its forecast interval leaves out the error of the
    estimated drift, and from 2 to 13 changes that error is most of the spread years ahead (the
    interval covered 0.41 / 0.43 / 0.68 of the backtest's figures by band). Each change between
    observed years counts with its span (a missing year is one change over two years, not two
    interpolated halves): drift = total change / years spanned, sigma² from the changes' deviations
    from it (n - 1 degrees of freedom), and at h years ahead the variance sigma² (h + h² / T) with T
    the years spanned: the drift method's interval of Hyndman and Athanasopoulos, "Forecasting:
    principles and practice", 3rd ed., "Prediction intervals" (otexts.com/fpp3), as R's
    `forecast::rwf(drift = TRUE)` gives it, read with Student's t rather than the normal since sigma
    comes from so few changes. From two figures the drift is their
    change and there is no spread to estimate: the point forecast alone, with no interval, as the
    linear trend gives there."""
    if len(series) < 2:  # no change to take a drift from
        raise ValueError("ARIMA(0,1,0) with drift needs two years")
    t, y = series.index.to_numpy(dtype=float), series.to_numpy(dtype=float)
    span, change = np.diff(t), np.diff(y)
    total = float(t[-1] - t[0])
    drift = float(y[-1] - y[0]) / total
    ahead = np.asarray(years, dtype=float) - t[-1]
    mean = y[-1] + ahead * drift
    # one change (however many years apart), or every change the drift to rounding: no spread seen
    sigma2 = float(np.sum((change - drift * span) ** 2 / span)) / (change.size - 1) if change.size > 1 else 0.0
    if not sigma2 > 1e-12:
        return pd.DataFrame({"mean": mean, "lo80": np.nan, "hi80": np.nan}, index=years)
    half = stats.t.ppf(0.9, change.size - 1) * np.sqrt(sigma2 * (ahead + ahead ** 2 / total))
    return pd.DataFrame({"mean": mean, "lo80": mean - half, "hi80": mean + half}, index=years)


BASELINES = {
    "last_value": last_value,
    "linear_trend": linear_trend,
    "logistic_trend": logistic_trend,
    "damped_trend": damped_trend,
    "arima": arima,
}
