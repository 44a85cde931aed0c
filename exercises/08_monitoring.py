"""Checks for the exercises of 08_monitoring. monitoring.1 simulates the student's drift alarm on fixed seeds
(400 unchanged windows and 20 shifted streams, twice: a few tenths of a processor-second); monitoring.2 reads a
small prediction log."""
import math

import numpy as np

from regression_course.exercises import exercise

MAX_FALSE_ALARMS = 0.02  # share of the unchanged windows on which the alarm may fire
MAX_DELAY = 400  # rows: the alarm's mean delay on the shifted streams
SHIFT = 0.3  # the shifted streams' mean, in training standard deviations
WINDOWS = 400  # unchanged windows
STREAM_ROWS = 4000  # rows of each shifted stream
STREAM_SEEDS = range(2, 22)  # 20 shifted streams


def _streams(window:int, scale:float=1.0, offset:float=0.0):
    "The exercise's reference, unchanged windows and shifted streams, in units `x * scale + offset`"
    train_x = np.random.default_rng(0).normal(0, 1, 800)
    unchanged = np.random.default_rng(1).normal(0, 1, (WINDOWS, window))
    shifted = [np.random.default_rng(seed).normal(SHIFT, 1, STREAM_ROWS) for seed in STREAM_SEEDS]
    return train_x * scale + offset, unchanged * scale + offset, [s * scale + offset for s in shifted]


def _first_alarm(alarm, reference, stream, window:int) -> float:
    "Rows read when `alarm` first fires on `stream`, window after window (math.inf: never)"
    for end in range(window, len(stream) + 1, window):
        if alarm(reference, stream[end - window:end]):
            return float(end)
    return math.inf


def _measure(alarm, window:int, scale:float=1.0, offset:float=0.0) -> tuple[float, list]:
    "(the share of unchanged windows on which `alarm` fires, its delay on each shifted stream)"
    reference, unchanged, shifted = _streams(window, scale, offset)
    fired = [bool(alarm(reference, values)) for values in unchanged]
    return sum(fired) / len(fired), [_first_alarm(alarm, reference, s, window) for s in shifted]


def _bounds_hint(rate:float, delays:list, window:int) -> str|None:
    "What breaks the bounds, for the figures measured; None if nothing does"
    delay = float(np.mean(delays))
    if rate > MAX_FALSE_ALARMS:
        return (f'your alarm fires on {rate:.1%} of the {WINDOWS} windows of UNCHANGED data (at most '
                f'{MAX_FALSE_ALARMS:.0%}): every check is a test, and a test at p < 0.05 fires on about 5% of '
                'unchanged windows by chance alone; PSI on a small window is noisy too (about 0.1 at 100 rows). '
                'Demand stronger evidence, or look at more rows at a time')
    missed = sum(math.isinf(d) for d in delays)
    if missed:
        return (f'your alarm never fired on {missed} of the {len(delays)} shifted streams ({STREAM_ROWS:,} rows '
                f'each, x shifted by {SHIFT} training std): a shift this size is real but not large (its PSI is '
                'about 0.1, below the rule of thumb\'s 0.2), so a threshold meant for large shifts never sees it')
    if delay > MAX_DELAY:
        if window > MAX_DELAY:
            return (f'a window of {window} rows cannot answer before {window} rows are in: the delay must be at '
                    f'most {MAX_DELAY} rows')
        return (f'on the shifted streams your alarm fires after {delay:.0f} rows on average (at most {MAX_DELAY}): '
                f'each window of {window} rows sees the shift too rarely. A threshold a little less strict, or a '
                'window with more rows, sees it sooner (what does each do to the false alarms?)')
    return None


@exercise('monitoring.1', '08_monitoring', 'choose a drift alarm, and defend it',
          needs=('window', 'alarm', 'false_alarm_rate', 'delay'))
def _alarm(window, alarm, false_alarm_rate, delay):
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not 1 <= window <= STREAM_ROWS:
        return f'window is the number of rows each check looks at: a whole number from 1 to {STREAM_ROWS}, not {window!r}'
    reference, unchanged, _ = _streams(window)
    answer = alarm(reference, unchanged[0])
    if answer is None:
        return (f'your alarm answered None on a window of {window} rows (drift_report gives no verdict below 100 '
                'values): an alarm must answer True or False every time. Choose a window it can judge')
    if not isinstance(answer, (bool, np.bool_)): return f'alarm should answer True or False, not {answer!r}'
    for name, value in (('false_alarm_rate', false_alarm_rate), ('delay', delay)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return f'{name} should be the number you measured, not {value!r}: run your alarm on the streams of the answer cell'
    rate, delays = _measure(alarm, window)
    if hint := _bounds_hint(rate, delays, window): return hint
    measured = float(np.mean(delays))
    if not math.isclose(false_alarm_rate, rate, abs_tol=1e-9):
        if math.isclose(false_alarm_rate, 100 * rate): return f'false_alarm_rate is a share from 0 to 1, not a percentage: {rate:g}'
        if math.isclose(false_alarm_rate, rate * WINDOWS): return f'false_alarm_rate is the share of the {WINDOWS} windows, not their number: {rate:g}'
        return (f'your alarm fires on {rate:g} of the unchanged windows, not {false_alarm_rate:g}: measure it on '
                f'the windows of `unchanged` ({WINDOWS} rows of `window` values, seed 1), against `train_x`')
    if not math.isclose(delay, measured, rel_tol=1e-9):
        if math.isclose(delay, measured - window): return 'count the rows read when the alarm fires, the end of its window: your delay is one window short'
        if math.isclose(delay, measured / window): return f'delay is in rows, not windows: {measured:g}'
        if math.isclose(delay, float(np.median(delays))): return f'delay is the mean over the shifted streams, not the median: {measured:g}'
        return (f'your alarm fires after {measured:g} rows on average over the {len(delays)} shifted streams, not '
                f'{delay:g}: on each stream, read window after window (rows 0 to {window - 1}, then the next '
                f'{window}, ...), note the rows read when it first fires, and take the mean')
    rate, delays = _measure(alarm, window, scale=3.0, offset=10.0)
    if _bounds_hint(rate, delays, window):
        return (f'the same streams in other units (x * 3 + 10, the reference too): your alarm now fires on '
                f'{rate:.0%} of the unchanged windows, after {np.mean(delays):.0f} rows on the shifted ones. Drift '
                'is a change against the reference you are given: compare the window with it, not with fixed numbers')
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


def _answer(window:int, rule:str, rate:str='rate', delay:str='float(np.mean(delays))', measured:bool=True) -> str:
    "A wrong answer's cell: an alarm (`rule`, on `reference` and `live`), measured as the exercise says, reported"
    measure = '''
def rows_until_alarm(stream):
    for end in range(window, len(stream) + 1, window):
        if alarm(train_x, stream[end - window:end]):
            return end
    return math.inf
rate = float(np.mean([alarm(train_x, values) for values in unchanged]))
delays = [rows_until_alarm(stream) for stream in shifted]
''' if measured else ''
    return f'''import math
import numpy as np
from scipy.stats import ks_2samp
from regression_course.monitoring import drift_report, psi
window = {window}
def alarm(reference, live):
    return {rule}
train_x = np.random.default_rng(0).normal(0, 1, 800)
unchanged = np.random.default_rng(1).normal(0, 1, (400, window))
shifted = [np.random.default_rng(seed).normal(0.3, 1, 4000) for seed in range(2, 22)]
{measure}false_alarm_rate = {rate}
delay = {delay}
'''


KS_1 = 'bool(ks_2samp(reference, live).pvalue < 0.01)'

WRONG_ANSWERS = {
    'monitoring.1': [
        _answer(100, 'bool(ks_2samp(reference, live).pvalue < 0.05)'),  # 4.75% false alarms
        _answer(300, 'bool(psi(reference, live) > 0.2)'),  # a 0.3 std shift stays below PSI 0.2: never fires
        _answer(50, 'drift_report(reference, live).drifted', rate='0.0', delay='50.0', measured=False),  # None
        _answer(200, 'bool(abs(np.mean(live)) > 0.25)'),  # fixed numbers: fine in these units, not in others
        _answer(500, KS_1),  # a window longer than the delay allowed
        _answer(100, KS_1, delay='float(np.mean(delays)) - window'),  # counted from the window's start
        _answer(100, KS_1, rate='100 * rate'),  # a percentage
        _answer(100, KS_1, delay='float(np.median(delays))'),  # the median
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
