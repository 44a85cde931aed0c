# exercise composable.1
from typing import NamedTuple

import numpy as np

from regression_course.pipeline import Splits, evaluate_model

class MetricsWithMAE(NamedTuple):
    "How well a model predicts the test rows, with the mean absolute error too"
    mse: float
    r2: float
    mae: float  # mean absolute error, in the units of y

def mae(y_true, y_pred) -> float:
    "Mean absolute error: the average size of the errors"
    errors = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return float(np.mean(np.abs(errors)))

def evaluate_with_mae(model, splits:Splits) -> MetricsWithMAE:
    "evaluate_model's MSE and R2 on the test rows, and their MAE"
    scores = evaluate_model(model, splits)
    return MetricsWithMAE(scores.mse, scores.r2, mae(splits.y_test, model.predict(splits.X_test)))

# exercise composable.2
def test_mae(mae):
    "Fails for an mae that lets errors cancel, squares them, sums them or keeps only the largest"
    assert mae([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 0  # perfect
    assert abs(mae([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) - 2 / 3) < 1e-12  # -1, 0, +1 do not cancel
    # one error of 4 among four rows: not squared (4), not summed (4), not the largest (4)
    assert abs(mae([0.0, 0.0, 0.0, 0.0], [4.0, 0.0, 0.0, 0.0]) - 1) < 1e-12
