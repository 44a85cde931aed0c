"""Solutions to the exercises of 00_data, and the model answer to its design question (for instructors).

Design question: refuse the file, or drop the rows?
    Refuse by default, and make dropping a decision someone takes on purpose. A missing y means
    something upstream broke; a pipeline that quietly trains on what is left hides that, and the
    next file may be missing 300 rows for the same reason. Filling the 3 values in invents targets
    the model then learns from: never for y.

    A defensible policy: drop and warn when only a small share is missing (say at most 1% of the rows,
    a parameter of the check, not a constant buried in it), refuse above it; either way, say which
    lines (their numbers, as DatasetError does), tell whoever owns the sensor, and keep with the run the
    count, the line numbers, the rule and its threshold, and a hash of the file read, so that a month
    later someone can see what the model was trained on and question the choice.

    The last question is the one that matters: if the sensor drops out when y is large, the missing
    rows are not random. Dropping them trains the model on a world without its largest values, and
    the test rows, cut from the same file, lack them too, so the figures do not show the bias. Then
    refuse (or fix the sensor), however small the share. Credit an answer that draws a line and
    names who hears about it; question one that drops rows silently, or fills in y.
"""

# exercise data.1
import numpy as np

def outlier_rows(dataset, max_z=4.0):
    "Row numbers (from 1) where x or y is over `max_z` standard deviations from its column's mean"
    X, y = dataset
    y = np.asarray(y, dtype=float)
    x = np.asarray(X, dtype=float).reshape(len(y), -1)[:, 0]
    far_x = np.abs(x - x.mean()) > max_z * x.std()
    far_y = np.abs(y - y.mean()) > max_z * y.std()
    return [int(i) + 1 for i in np.flatnonzero(far_x | far_y)]

# exercise data.2
import numpy as np

def test_outlier_rows(outlier_rows):
    "Fails for an outlier check that numbers rows from 0, misses a column, or ignores max_z"
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 500)
    y = 2 * x + rng.normal(0, 1, 500)
    assert list(outlier_rows((x.reshape(-1, 1), y))) == []  # clean data: nothing
    y_bad = y.copy()
    y_bad[2] = 100.0  # row 3, far out in y
    assert list(outlier_rows((x.reshape(-1, 1), y_bad))) == [3]
    x_bad = x.copy()
    x_bad[9] = -100.0  # row 10, far out in x
    assert list(outlier_rows((x_bad.reshape(-1, 1), y))) == [10]
    x_mid = x.copy()
    x_mid[4] = x.mean() + 3 * x.std()  # about 3 std away: an outlier at max_z=2, not at 4
    assert 5 in outlier_rows((x_mid.reshape(-1, 1), y), max_z=2.0)
    assert 5 not in outlier_rows((x_mid.reshape(-1, 1), y))
