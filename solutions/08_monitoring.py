"""Solutions to the exercises of 08_monitoring, and the model answer to its design question (for
instructors).

Design question: retrain on every alarm?
    Refuse the plan as it stands; automate the parts whose evidence is strong. An alarm on x cannot
    tell apart a world that changed (new customers, a new season) from a pipeline upstream that broke
    (a unit changed from euros to cents, a field shifted by one column, a default value filling a
    gap). Retraining on the second teaches the model the bug, and the champion-challenger comparison
    will not catch it: both models are scored on the same broken rows, and the one that learned the
    bug wins. Drift in x is not even proof the model is worse: a linear model may extrapolate well
    (the notebook's proof came from feedback, the live error).

    Truth that comes back weeks later means that at the alarm there are few rows with feedback to
    train and test on: the challenger would be fitted on a handful of rows, and whatever it learned
    was true weeks ago. Feedback that exists only for predictions people acted on is biased as well.

    What to automate: the alarm (it pages a person, with the report and the rows that caused it);
    the measurement of live error once enough feedback exists (live_metrics, with its margin for
    chance); retraining on a schedule or on a worse live error, through the flow's gate and the
    champion-challenger test. Leave to a person: deciding that a drift is the world, not a bug, and
    promoting after an alarm nobody has explained. Keep: every run's data, parameters and verdict
    (the flow keeps them), which run served which prediction (the log's run_id), and the previous
    deployable model, so that `make rollback` can undo a bad promotion. Credit answers that separate
    detecting from deciding, and name what evidence each step needs.
"""

# exercise monitoring.1
import math

import numpy as np
from scipy.stats import ks_2samp

window = 100  # rows each check looks at

def alarm(reference, live) -> bool:
    "Drift when a KS test finds the window unlike the reference at p < 0.01"
    return bool(ks_2samp(reference, live).pvalue < 0.01)

train_x = np.random.default_rng(0).normal(0, 1, 800)  # the reference: 800 training x values
unchanged = np.random.default_rng(1).normal(0, 1, (400, window))  # 400 windows, no drift
shifted = [np.random.default_rng(seed).normal(0.3, 1, 4000) for seed in range(2, 22)]  # 20 streams

def rows_until_alarm(stream) -> float:
    "Rows read when the alarm first fires on `stream`, window after window (math.inf: never)"
    for end in range(window, len(stream) + 1, window):
        if alarm(train_x, stream[end - window:end]):
            return end
    return math.inf

false_alarm_rate = float(np.mean([alarm(train_x, values) for values in unchanged]))  # 0.0075
delay = float(np.mean([rows_until_alarm(stream) for stream in shifted]))  # 215 rows
# The defence: a KS test at p < 0.01 fires on about 1 window in 100 of unchanged data by chance (3 of
# these 400), which the bound allows; PSI, which needs a large shift (0.2), never sees a 0.3 std shift
# in windows of a few hundred rows, and on windows of 100 it fires on chance. Windows of 100 rows see
# the shift within about two windows; longer windows wait longer for each verdict, and p < 0.001
# waits for more windows (475 rows at 100 a window).

# exercise monitoring.2
import pandas as pd

def outside_by_day(log:pd.DataFrame, x_min:float, x_max:float) -> pd.Series:
    "Share of each day's x values outside [x_min, x_max], for the days in the log"
    outside = (log['x'] < x_min) | (log['x'] > x_max)
    return outside.groupby(log['time'].dt.floor('D')).mean()
