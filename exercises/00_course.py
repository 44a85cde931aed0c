"""Checks for the exercises of 00_course."""
import math

import numpy as np

from regression_course.exercises import exercise

FIGURES = ('coef', 'intercept', 'mse', 'r2', 'prediction_at_10')


def _course_split():
    "The course's split of the shipped dataset: X_train, X_test, y_train, y_test"
    from sklearn.model_selection import train_test_split
    from regression_course.data import load_data
    X, y = load_data()
    return train_test_split(X, y, test_size=0.2, random_state=42)


@exercise('course.1', '00_course', 'the checkpoint figures of a split', needs='checkpoint_figures')
def _figures(checkpoint_figures):
    xs = np.arange(10.).reshape(-1, 1)
    on_a_line = checkpoint_figures(xs[:8], 3 * xs[:8, 0] + 1, xs[8:], 3 * xs[8:, 0] + 1)
    if not isinstance(on_a_line, dict): return f'return a dict with the keys {", ".join(FIGURES)}; you returned a {type(on_a_line).__name__}'
    if missing := [k for k in FIGURES if k not in on_a_line]: return f'the dict has no {", ".join(missing)}: use exactly the names checkpoint() knows'
    if extra := sorted(set(on_a_line) - set(FIGURES)): return f'checkpoint() does not know {", ".join(map(str, extra))}: keep only {", ".join(FIGURES)}'
    try: on_a_line = {k: float(on_a_line[k]) for k in FIGURES}
    except (TypeError, ValueError): return 'every figure should be a single number (a float), not an array'
    if abs(on_a_line['coef'] - 3) > 1e-9 or abs(on_a_line['intercept'] - 1) > 1e-9:
        return 'on points lying exactly on y = 3x + 1 the fitted line should have slope 3 and intercept 1: fit a LinearRegression on the training rows'
    if abs(on_a_line['prediction_at_10'] - 31) > 1e-9:
        return 'on y = 3x + 1 the prediction at x = 10 should be 31: ask the model to predict x = 10 (an array of shape (1, 1)), or use the whole line'
    if abs(on_a_line['mse']) > 1e-9 or abs(on_a_line['r2'] - 1) > 1e-9:
        return 'on a perfect fit the test MSE should be 0 and R2 1'
    X_train, X_test, y_train, y_test = _course_split()
    yours = {k: float(v) for k, v in checkpoint_figures(X_train, y_train, X_test, y_test).items()}
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import mean_squared_error, r2_score
    model = LinearRegression().fit(X_train, y_train)
    on_train, on_test = model.predict(X_train), model.predict(X_test)
    if math.isclose(yours['mse'], mean_squared_error(y_train, on_train), rel_tol=1e-9):
        return 'your MSE is the error on the rows the model was trained on: a checkpoint scores the held-out test rows'
    if math.isclose(yours['r2'], r2_score(on_test, y_test), rel_tol=1e-9):
        return 'your R2 is a little off: r2_score is not symmetric; check which argument is the truth'
    if math.isclose(yours['r2'], r2_score(y_train, on_train), rel_tol=1e-9):
        return 'your R2 is measured on the training rows: score the test rows'
    from regression_course.course import COURSE_FIGURES
    off = [k for k in FIGURES if not abs(yours[k] - COURSE_FIGURES[k][0]) <= COURSE_FIGURES[k][1]]
    if off: return f'on the course split your {", ".join(off)} differ from the course figures: compare with the Checkpoint box above'
    return None


PROJECTS = {'A': None, 'B': 3, 'C': 1, 'D': 4, 'E': 2}  # the sign each project shows (see the notebook)


@exercise('course.2', '00_course', 'do these projects need ML?', needs='warning_signs')
def _signs(warning_signs):
    if not isinstance(warning_signs, dict): return 'warning_signs should be a dict: project letter -> sign number (or None)'
    if warning_signs and all(v is ... for v in warning_signs.values()): raise NotImplementedError  # the untouched stub
    if missing := [p for p in PROJECTS if p not in warning_signs]: return f'give an answer for every project: {", ".join(missing)} missing'
    if extra := sorted(set(map(str, warning_signs)) - set(PROJECTS)): return f'there is no project {", ".join(extra)}: use the letters A to E'
    if bad := [p for p in PROJECTS if warning_signs[p] not in (None, 1, 2, 3, 4)]:
        return f'each answer is one sign number, 1 to 4, or None for no sign; project {bad[0]} has {"..." if warning_signs[bad[0]] is ... else repr(warning_signs[bad[0]])}'
    wrong = [p for p in PROJECTS if warning_signs[p] != PROJECTS[p]]
    if not wrong: return None
    p = wrong[0]
    if PROJECTS[p] is None:
        advice = 'this project is a fair fit for ML: check each sign against what the description actually says'
    elif warning_signs[p] is None:
        advice = 'this project does show one of the signs: read its description next to each of the four signs again'
    else:
        advice = f'this project shows a sign, but not sign {warning_signs[p]}: which fact in the description is the problem?'
    return f'{len(PROJECTS) - len(wrong)} of {len(PROJECTS)} right. Project {p}: {advice}'


WRONG_ANSWERS = {
    'course.1': [
        '''from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, r2_score
def checkpoint_figures(X_train, y_train, X_test, y_test):
    model = LinearRegression().fit(X_train, y_train)
    on_train = model.predict(X_train)  # scored on the training rows
    return {'coef': model.coef_[0], 'intercept': model.intercept_, 'mse': mean_squared_error(y_train, on_train),
            'r2': r2_score(y_train, on_train), 'prediction_at_10': model.predict([[10.0]])[0]}''',
        '''from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, r2_score
def checkpoint_figures(X_train, y_train, X_test, y_test):
    model = LinearRegression().fit(X_train, y_train)
    pred = model.predict(X_test)
    return {'coef': model.coef_[0], 'intercept': model.intercept_, 'mse': mean_squared_error(y_test, pred),
            'r2': r2_score(pred, y_test), 'prediction_at_10': model.predict([[10.0]])[0]}''',
        '''from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, r2_score
def checkpoint_figures(X_train, y_train, X_test, y_test):
    model = LinearRegression().fit(X_train, y_train)
    pred = model.predict(X_test)
    return {'coef': model.coef_[0], 'intercept': model.intercept_, 'mse': mean_squared_error(y_test, pred),
            'r2': r2_score(y_test, pred), 'prediction_at_10': 10 * model.coef_[0]}''',
    ],
    'course.2': [
        "warning_signs = {'A': None, 'B': 3, 'C': 1, 'D': 4, 'E': None}",
        "warning_signs = {'A': 4, 'B': 3, 'C': 1, 'D': 4, 'E': 2}",
        "warning_signs = {'A': None, 'B': 1, 'C': 1, 'D': 4, 'E': 2}",
    ],
}
