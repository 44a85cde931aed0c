"""Monitoring (nbs/08_monitoring.ipynb): drift is found where the inputs moved and not where they did not, small
samples get no verdict, live error from feedback is exact (the later feedback wins), and usage shares add up."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from regression_course.monitoring import drift_report, live_metrics, psi, usage_report
from regression_course.monitoring_lab import simulate_traffic

REFERENCE = np.random.default_rng(2024).normal(size=800)  # like the course's 800 training x values
SEEDS = range(10)


def live(n, seed, shift=0.0, scale=1.0):
    "`n` live x values from N(shift, scale), different from the reference's draw"
    return np.random.default_rng(1000 + seed).normal(shift, scale, n)


# --- drift_report ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('n', [1000, 100_000])
def test_no_drift_on_the_training_distribution(n):
    reports = [drift_report(REFERENCE, live(n, seed)) for seed in SEEDS]
    assert [r.verdict for r in reports] == ['no drift'] * len(reports)
    assert all(r.drifted is False for r in reports)


def test_few_false_alarms_at_the_minimum_sample():
    "At 100 values chance alone sometimes crosses the KS p-value of 0.01: about 1 check in 100, not more"
    alarms = sum(drift_report(REFERENCE, live(100, seed)).drifted for seed in range(400))
    assert alarms <= 8  # 2%; the designed rate is 1% (it measures 0.8% over 2000 seeds)


@pytest.mark.parametrize('shift,scale', [(0.5, 1), (-0.5, 1), (1, 1), (-1, 1), (0, 1.6), (0, 0.6), (1, 1.5)])
def test_drift_found_on_shifted_or_rescaled_samples(shift, scale):
    for seed in SEEDS:
        r = drift_report(REFERENCE, live(1000, seed, shift, scale))
        assert r.drifted is True and r.verdict == 'drift', (shift, scale, seed, r.summary)
        assert np.sign(r.mean_shift) == np.sign(shift) or shift == 0
        assert (r.std_ratio > 1) == (scale > 1) or scale == 1


def test_moments_are_in_reference_units():
    ref = np.random.default_rng(0).normal(10, 2, 10_000)
    r = drift_report(ref, np.random.default_rng(1).normal(13, 4, 10_000))
    assert r.mean_shift == pytest.approx(1.5, abs=0.05)  # (13 - 10) / 2
    assert r.std_ratio == pytest.approx(2.0, abs=0.05)


def test_not_enough_data_gives_no_verdict():
    for n in (0, 1, 20, 99):
        r = drift_report(REFERENCE, live(n, 0, shift=3))  # even a big shift: too few values to say
        assert (r.verdict, r.drifted) == ('not enough data', None)
        assert 'not enough data' in r.summary.lower() and str(r) == r.summary
        assert math.isnan(r.psi) and math.isnan(r.ks_pvalue)
    assert drift_report(REFERENCE, live(100, 0, shift=3)).verdict == 'drift'
    assert drift_report(REFERENCE, live(50, 0, shift=3), min_live=50).verdict == 'drift'


def test_non_finite_live_values_are_dropped_and_counted_out():
    values = np.r_[live(150, 1), [np.nan] * 60, [np.inf, -np.inf]]
    r = drift_report(REFERENCE, values)
    assert r.n_live == 150 and r.verdict == 'no drift'
    assert drift_report(REFERENCE, np.r_[live(90, 1), [np.nan] * 60]).verdict == 'not enough data'


def test_reference_shape_and_bad_reference():
    assert drift_report(REFERENCE.reshape(-1, 1), live(500, 2)).verdict == 'no drift'  # X_train is (n, 1)
    with pytest.raises(ValueError, match='reference'):
        drift_report([np.nan, 1.0], live(500, 2))


def test_huge_samples_do_not_flag_trivial_shifts():
    rng = np.random.default_rng(5)
    r = drift_report(rng.normal(size=1_000_000), rng.normal(0.05, 1, 1_000_000))
    assert r.ks_pvalue < 1e-50  # statistically "significant" ...
    assert r.drifted is False  # ... but far too small to matter
    assert r.psi < 0.01 and r.ks_stat < 0.05


def test_thresholds_are_parameters():
    rng = np.random.default_rng(3)
    ref, values = rng.normal(size=100_000), rng.normal(0.15, 1, 100_000)  # significant, but small: D 0.06, PSI 0.02
    r = drift_report(ref, values)
    assert r.ks_pvalue < 1e-10 and r.drifted is False
    assert drift_report(ref, values, min_ks_stat=0.05).drifted is True
    assert drift_report(ref, values, psi_threshold=0.01).drifted is True
    assert drift_report(ref, values, ks_alpha=1e-300).drifted is False  # not significant enough: never drift
    assert drift_report(REFERENCE, live(150, 0), min_live=200).verdict == 'not enough data'


def test_psi_and_ks_values_are_sane():
    assert psi(REFERENCE, REFERENCE) == 0.0
    for seed in SEEDS:
        same = psi(REFERENCE, live(10_000, seed))
        assert 0 <= same < 0.05
    moved = psi(REFERENCE, live(100_000, 0, shift=0.5))
    assert 0.15 < moved < 0.4  # about the squared shift, 0.25, for normals
    assert psi(REFERENCE, live(10_000, 0, shift=-0.5)) == pytest.approx(moved, rel=0.25)  # roughly symmetric
    one_bin = psi(REFERENCE, np.full(500, 99.0))  # every live value in the top bin: other bins empty
    assert math.isfinite(one_bin) and one_bin > 5
    r = drift_report(REFERENCE, live(1000, 0, shift=1))
    assert 0 <= r.ks_stat <= 1 and 0 <= r.ks_pvalue <= 1 and r.psi > 0.2
    assert r.ks_stat == pytest.approx(0.38, abs=0.06)  # Phi(0.5) - Phi(-0.5) for a shift of 1 std


def test_psi_on_discrete_reference():
    ref = np.repeat([0.0, 1.0, 2.0], 100)  # quantile edges coincide: merged, not an error
    assert psi(ref, ref) == 0.0
    assert psi(ref, np.repeat([0.0, 1.0, 2.0], [10, 10, 280])) > 0.2


# --- simulate_traffic ----------------------------------------------------------------------------------------

def test_simulate_traffic_stable_and_drifted():
    a, b = simulate_traffic(20_000, seed=1), simulate_traffic(20_000, drift=True, seed=1)
    assert list(a.columns) == ['time', 'request', 'x', 'y'] and len(a) == 20_000
    pd.testing.assert_frame_equal(a, simulate_traffic(20_000, seed=1))
    assert abs(a.x.mean()) < 0.05 and abs(a.x.std() - 1) < 0.05
    assert abs(b.x.mean() - 1) < 0.05 and abs(b.x.std() - 1.5) < 0.05
    assert np.polyfit(a.x, a.y, 1)[0] == pytest.approx(16.7483, abs=0.3)
    assert np.polyfit(b.x, b.y, 1)[0] == pytest.approx(25, abs=0.3)
    assert np.std(a.y - 16.7483 * a.x) == pytest.approx(10, abs=0.3)
    assert np.polyfit(*simulate_traffic(20_000, coef=-3, seed=2)[['x', 'y']].T.to_numpy(), 1)[0] == pytest.approx(-3, abs=0.3)
    assert a.time.is_monotonic_increasing and str(a.time.dt.tz) == 'UTC'
    assert a.request.is_monotonic_increasing and a.request.iloc[0] == 1
    assert (a.groupby('request').time.nunique() == 1).all()  # a request's values share one time
    sizes = a.request.value_counts()
    assert sizes.max() <= 50 and 0.8 < (sizes == 1).mean() < 0.95
    assert len(simulate_traffic(0)) == 0


# --- live_metrics --------------------------------------------------------------------------------------------

HAND_P = pd.DataFrame({'id': ['a', 'b', 'c', 'd'], 'prediction': [1.0, 2.0, 3.0, 9.0]})


def test_live_metrics_exact_on_a_hand_example():
    fb = pd.DataFrame({'id': ['a', 'b', 'c', 'x'], 'y': [2.0, 1.0, 5.0, 7.0]})  # 'x' has no prediction, 'd' no feedback
    m = live_metrics(HAND_P, fb, min_pairs=3)
    assert m.n == 3 and m.mse == 2.0  # errors 1, -1, 2
    assert m.r2 == pytest.approx(1 - 6 / (78 / 9))  # y mean 8/3
    assert m.verdict == 'measured' and str(m) == m.summary


def test_live_metrics_later_feedback_wins():
    t = pd.to_datetime(['2026-01-01 00:00', '2026-01-01 00:05', '2026-01-01 00:01', '2026-01-01 00:02'], utc=True)
    fb = pd.DataFrame({'id': ['a', 'a', 'b', 'c'], 'y': [100.0, 2.0, 1.0, 5.0], 'time': t})
    assert live_metrics(HAND_P, fb, min_pairs=3).mse == 2.0  # 'a' -> 2.0 (00:05), not 100
    reordered = fb.iloc[[1, 0, 2, 3]]  # arrival order is not time order: time decides
    assert live_metrics(HAND_P, reordered, min_pairs=3).mse == 2.0
    no_time = fb.drop(columns='time').iloc[[0, 2, 3, 1]]  # no time: the later row wins
    assert live_metrics(HAND_P, no_time, min_pairs=3).mse == 2.0
    tie = pd.DataFrame({'id': ['a', 'a', 'b', 'c'], 'y': [100.0, 2.0, 1.0, 5.0], 'time': t[[0, 0, 2, 3]]})
    assert live_metrics(HAND_P, tie, min_pairs=3).mse == 2.0  # same time: the later row wins


def test_live_metrics_not_enough_pairs():
    fb = pd.DataFrame({'id': ['a', 'b', 'c'], 'y': [2.0, 1.0, 5.0]})
    m = live_metrics(HAND_P, fb, test_mse=107.9)
    assert (m.verdict, m.n, m.mse, m.r2) == ('not enough data', 3, None, None)
    assert 'at least 50' in m.summary
    empty = live_metrics(HAND_P, fb.iloc[:0])
    assert (empty.verdict, empty.n) == ('not enough data', 0)


def test_live_metrics_compares_with_the_test_figures():
    rng = np.random.default_rng(0)
    x = rng.normal(size=5000)
    preds = pd.DataFrame({'id': np.arange(5000), 'prediction': 16.7 * x})
    good = live_metrics(preds, pd.DataFrame({'id': np.arange(5000), 'y': 16.7 * x + rng.normal(0, 10, 5000)}), 100.0, 0.72)
    assert good.verdict == 'as at training' and good.mse == pytest.approx(100, rel=0.1)
    assert '100.0' in good.summary and '0.720' in good.summary
    bad = live_metrics(preds, pd.DataFrame({'id': np.arange(5000), 'y': 25 * x + rng.normal(0, 10, 5000)}), 100.0, 0.72)
    assert bad.verdict == 'worse than at training' and bad.mse > 150
    assert 'retrain' in bad.summary
    # noise guard: 60 pairs 30% worse is within sampling noise (3 x sqrt(2/60) = 55%), 5000 pairs 30% worse is not
    assert live_metrics(preds.head(60), pd.DataFrame({'id': np.arange(60), 'y': preds.prediction[:60] + 11.4}), 100.0).verdict == 'as at training'
    assert live_metrics(preds, pd.DataFrame({'id': np.arange(5000), 'y': preds.prediction + 11.4}), 100.0).verdict == 'worse than at training'


# --- usage_report --------------------------------------------------------------------------------------------

def make_log(xs, requests, minutes, run_ids=None, latency=None):
    "A log as `read_prediction_log` returns it: one row per value"
    n = len(xs)
    return pd.DataFrame({'time': pd.Timestamp('2026-01-05', tz='UTC') + pd.to_timedelta(minutes, unit='min'),
                         'x': np.asarray(xs, float), 'prediction': 16.7 * np.asarray(xs, float),
                         'run_id': run_ids or ['1'] * n, 'latency_ms': latency or [2.0] * n, 'request': requests})


def test_usage_report_shares_and_counts():
    #        request 1 (batch of 3)   2     3     4 (batch of 2)   5
    xs =       [0.0, 5.0, -4.0,      1.0,  2.0,  9.0, 0.5,       -0.1]
    requests = [1, 1, 1,             2,    3,    4, 4,           5]
    minutes =  [0, 0, 0,             1,    1,    30, 30,         59]
    u = usage_report(make_log(xs, requests, minutes, latency=[1.0] * 3 + [2.0, 3.0] + [4.0] * 2 + [5.0]), (-3.0, 3.0))
    assert (u.requests, u.values) == (5, 8)
    assert u.share_outside == 3 / 8  # 5.0, -4.0 and 9.0
    assert u.batch_sizes.to_dict() == {1: 3, 2: 1, 3: 1}
    assert u.per_period.sum() == 5 and len(u.per_period) == 60  # per minute, empty minutes included
    assert u.per_period.iloc[0] == 1 and u.per_period.iloc[1] == 2
    assert u.latency_ms['median'] == 3.0  # per request: 1, 2, 3, 4, 5
    assert u.errors is None and 'not in this log' in u.summary
    assert '37.5%' in u.summary and str(u) == u.summary


def test_usage_report_buckets_models_and_errors():
    log = make_log([0.0] * 4, [1, 2, 3, 4], [0, 60 * 5, 60 * 30, 60 * 30 + 1], run_ids=['a', 'a', 'b', 'b'])
    u = usage_report(log, (-3.0, 3.0))
    assert u.per_period.index.freqstr == 'h' and u.per_period.sum() == 4  # 30 hours: hourly buckets
    assert u.models.to_dict() == {'a': 2, 'b': 2} and u.share_outside == 0.0
    assert usage_report(log, (-3.0, 3.0), freq='D').per_period.tolist() == [2, 2]
    assert usage_report(make_log([0.0], [1], [0]), (-3.0, 3.0)).per_period.tolist() == [1]
    with_errors = log.assign(error=[None, 'bad x', None, None])
    u = usage_report(with_errors, (-3.0, 3.0))
    assert u.errors == 1 and '1 failed request' in u.summary
    with pytest.raises(ValueError, match='empty'):
        usage_report(log.iloc[:0], (-3.0, 3.0))


def test_usage_report_reads_the_api_log(tmp_path):
    "The log the API writes, read by the API's own reader, is what `usage_report` takes"
    from regression_course.serving import read_prediction_log
    path = tmp_path/'predictions.jsonl'
    records = [{'time': '2026-01-05T10:00:00+00:00', 'x': 1.0, 'prediction': 16.6, 'run_id': '7', 'latency_ms': 2.0},
               {'time': '2026-01-05T10:00:30+00:00', 'x': [0.0, 4.0, 5.0], 'prediction': [0, 67, 83], 'run_id': '7', 'latency_ms': 3.0}]
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    u = usage_report(read_prediction_log(path), (-2.7, 3.85))
    assert (u.requests, u.values, u.share_outside) == (2, 4, 0.5)
    assert u.batch_sizes.to_dict() == {1: 1, 3: 1} and u.per_period.index.freqstr == 'min'
