"""Solutions to the exercises of 02_composable, and the model answer to its design question (for
instructors).

Design question: equal, or close enough?
    A refactoring changes the structure and nothing else, so on the same machine it must give the
    same floats: the same rows, read the same way, split with the same seed, fitted by the same code.
    Equality is the strongest check there is, and the cheapest to read: any difference at all means
    the behaviour changed.

    The faster shuffle is not a refactoring: it changes which rows are held out, so the check should
    fail, and then someone decides, on purpose, to accept new figures (changed in one place, the
    checkpoint, with a note of why). Neither MSE is the better model's: it is the same model class fit
    on different rows, and the MSE of 200 test rows with noise of standard deviation 10 is uncertain
    by about 100 x sqrt(2/200), some 10, so 104.2 against 107.9 is the luck of the split (the further
    question with five seeds shows it). To compare models, compare them on the same rows, or average
    over many splits (cross-validation, as 04b does).

    The other processor: a difference in the thirteenth digit is floating-point rounding (another
    order of additions, another maths library), not a change of behaviour. A check of figures that
    must hold across machines compares within a tolerance of rounding, far below any effect that
    matters (the course's checkpoint allows 1e-4 on an MSE of 108, the digits it prints), never within
    a tolerance as wide as the noise, which would let real changes through. Credit answers that separate the three: equal for a
    refactoring on one machine, rounding-sized for other machines, and a deliberate update when the
    behaviour changes.
"""

# exercise composable.1
import numpy as np

def one_value_a_row(values, name:str) -> np.ndarray:
    "`values` as a 1-D float array: a single column counts as one value a row; anything else is refused"
    array = np.asarray(values, dtype=float)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f'{name} should hold one value a row, not an array of shape {array.shape}')
    if not np.all(np.isfinite(array)):
        bad = int(np.sum(~np.isfinite(array)))
        raise ValueError(f'{name} holds {bad} value(s) that are not finite numbers (nan or inf)')
    return array

def mae(y_true, y_pred) -> float:
    """Mean absolute error: the average size of the errors, in the units of y.

    The contract: y_true and y_pred hold finite numbers, one a row, paired row by row. A single
    column (shape (n, 1)) counts as n values: predictions often come back as a column, and one
    column can only mean one value a row. Anything on which a number would be a lie is refused with
    ValueError: inputs that do not pair up (other lengths, more columns), nothing to average, and a
    value that is not a finite number (a nan would travel silently into every report)."""
    truth = one_value_a_row(y_true, 'y_true')
    predicted = one_value_a_row(y_pred, 'y_pred')
    if len(truth) != len(predicted):
        raise ValueError(f'{len(truth)} true values and {len(predicted)} predictions do not pair up')
    if len(truth) == 0:
        raise ValueError('no values: there is no error to average')
    return float(np.mean(np.abs(truth - predicted)))

# exercise composable.2
def test_mae(mae):
    "Fails for an mae that lets errors cancel, squares them, sums them or keeps only the largest"
    assert mae([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 0  # perfect
    assert abs(mae([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) - 2 / 3) < 1e-12  # -1, 0, +1 do not cancel
    # one error of 4 among four rows: not squared (4), not summed (4), not the largest (4)
    assert abs(mae([0.0, 0.0, 0.0, 0.0], [4.0, 0.0, 0.0, 0.0]) - 1) < 1e-12
