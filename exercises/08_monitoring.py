"""Checks for the exercises of 08_monitoring."""
import numpy as np

from regression_course.exercises import exercise


def _samples():
    "(what, reference, live, drifted?) cases, fixed seeds"
    rng = np.random.default_rng(7)
    ref = rng.normal(0, 1, 800)
    wide = rng.uniform(5, 10, 800)  # another reference: not centred on 0, not normal
    return [
        ('live x from the training distribution', ref, rng.normal(0, 1, 1000), False),
        ('another day from the training distribution', ref, rng.normal(0, 1, 300), False),
        ('live x shifted by one training std', ref, rng.normal(1, 1, 1000), True),
        ('live x spread 2 times wider, same mean', ref, rng.normal(0, 2, 1000), True),
        ('a reference between 5 and 10, live from the same', wide, rng.uniform(5, 10, 1000), False),
        ('a reference between 5 and 10, live between 7 and 12', wide, rng.uniform(7, 12, 1000), True),
        ('only 20 live values, clearly shifted', ref, rng.normal(3, 1, 20), False),
    ]


@exercise('monitoring.1', '08_monitoring', 'raise a drift alarm', needs='is_drifted')
def _drift(is_drifted):
    cases = _samples()
    for what, ref, live, expected in cases[:-1]:
        answer = is_drifted(ref, live)
        if answer is None and not expected:
            return f'{what}: you returned None; is_drifted answers True or False (no alarm without enough evidence: False)'
        if not isinstance(answer, (bool, np.bool_)): return f'is_drifted should return True or False, not {answer!r}'
        if bool(answer) != expected:
            if what.startswith('a reference'): return f'{what}: you answered {bool(answer)}; compare live with the reference you are given, not with fixed numbers'
            return f'{what}: you answered {bool(answer)}, expected {expected}'
    rng = np.random.default_rng(8)
    big_ref, big_live = rng.normal(0, 1, 200_000), rng.normal(0.03, 1, 200_000)
    if is_drifted(big_ref, big_live):
        return ('200,000 live x shifted by 0.03 training std: you sounded the alarm, but a gap this small does not matter to the '
                'model. With this much data even tiny gaps are significant: significant is not the same as large')
    what, ref, live, expected = cases[-1]
    answer = is_drifted(ref, live)
    if answer is None: return f'{what}: you returned None; is_drifted answers True or False (no alarm without enough evidence: False)'
    if answer: return f'{what}: you sounded the alarm, but 20 values are too few to tell drift from chance'
    return None


def _log(days):
    "A prediction log (one row per value) from {day: x values}"
    import pandas as pd
    rows = [(pd.Timestamp(day, tz='UTC') + pd.Timedelta(hours=1 + i % 20), i // 3, float(x))
            for day, xs in days.items() for i, x in enumerate(xs)]
    log = pd.DataFrame(rows, columns=['time', 'request', 'x'])
    log['request'] = pd.factorize(log['time'].astype(str) + log['request'].astype(str))[0] + 1
    return log.assign(prediction=0.0, run_id='1', latency_ms=1.0)


@exercise('monitoring.2', '08_monitoring', 'extrapolation, day by day', needs='outside_by_day')
def _outside(outside_by_day):
    import pandas as pd
    log = _log({'2026-01-05': [0.0, 1.0, 2.0, 5.0], '2026-01-06': [-3.0, 0.5, 9.0, 9.5, 1.0], '2026-01-08': [2.0]})
    result = outside_by_day(log, -2.0, 2.0)
    if not isinstance(result, pd.Series): return f'return a pandas Series (one share per day), not a {type(result).__name__}'
    if len(result) == 4 and float(result.iloc[2]) == 0 or (len(result) == 4 and np.isnan(result.iloc[2])):
        return 'a day with no requests has no share: keep only the days that appear in the log'
    if len(result) != 3: return f'the log covers 3 days, but your Series has {len(result)} rows: one row per day'
    values = result.sort_index().to_numpy(dtype=float)
    if np.allclose(values, [2 / 4, 3 / 5, 1]): return 'x = 2.0 equals x_max: the model was trained on it, so it is inside the range'
    if np.allclose(values, [1, 3, 0]): return 'those are counts of values outside the range: the exercise asks for the share of each day\'s values'
    if np.allclose(values, [3 / 4, 2 / 5, 1]): return 'that is the share inside the range: the exercise asks for the share outside'
    if not np.allclose(values, [1 / 4, 3 / 5, 0]):
        return f'on a small log of three days your shares are {np.round(values, 3).tolist()}: count, for each day, the values below x_min or above x_max, and divide by that day\'s values'
    days = pd.to_datetime(pd.Series(result.sort_index().index)).dt.strftime('%Y-%m-%d').tolist()
    if days != ['2026-01-05', '2026-01-06', '2026-01-08']:
        return f'index the Series by day; your index reads {days}'
    return None


WRONG_ANSWERS = {
    'monitoring.1': [
        '''from scipy.stats import ks_2samp
def is_drifted(reference, live):
    return bool(ks_2samp(reference, live).pvalue < 0.01)''',
        '''import numpy as np
def is_drifted(reference, live):
    return bool(abs(np.mean(live)) > 0.5 or np.std(live) > 1.5)''',
        '''from regression_course.monitoring import drift_report
def is_drifted(reference, live):
    return drift_report(reference, live).drifted''',
        '''import numpy as np
from regression_course.monitoring import psi
def is_drifted(reference, live):
    return bool(psi(np.asarray(reference), np.asarray(live)) > 0.2)''',
    ],
    'monitoring.2': [
        '''def outside_by_day(log, x_min, x_max):
    outside = (log.x <= x_min) | (log.x >= x_max)
    return outside.groupby(log.time.dt.floor('D')).mean()''',
        '''def outside_by_day(log, x_min, x_max):
    outside = (log.x < x_min) | (log.x > x_max)
    return outside.groupby(log.time.dt.floor('D')).sum()''',
        '''def outside_by_day(log, x_min, x_max):
    return float(((log.x < x_min) | (log.x > x_max)).mean())''',
        '''def outside_by_day(log, x_min, x_max):
    outside = (log.x < x_min) | (log.x > x_max)
    return outside.groupby(log.time.dt.floor('D')).mean().resample('D').mean().fillna(0)''',
    ],
}
