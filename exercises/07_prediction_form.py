"""Checks for the exercises of 07_prediction_form."""
import html
import re

import numpy as np

from regression_course.exercises import exercise
from regression_course.prediction import for_people


def _toy_predict(X):
    "A line y = 2x + 1 that, like a scikit-learn model, wants one row per x"
    X = np.asarray(X, dtype=float)
    if X.ndim != 2: raise ValueError(f'Expected 2D array, got {X.ndim}D array instead: reshape your data, one row per x')
    with np.errstate(over='ignore'): return 2 * X[:, 0] + 1


def _widgets(root):
    "`root` and every widget inside it, depth first"
    yield root
    for child in getattr(root, 'children', ()) or (): yield from _widgets(child)


def _find(root, cls:str, kind:str):
    "The one widget with the class `cls` inside `root`, or a hint (str) saying what is missing"
    found = [w for w in _widgets(root) if cls in (getattr(w, '_dom_classes', ()) or ())]
    if not found: return None, f'no widget with the class {cls!r} in your form: give the {kind} that class with `.add_class({cls!r})`, and put it inside the container you return'
    if len(found) > 1: return None, f'{len(found)} widgets have the class {cls!r}: give it to the {kind} only'
    return found[0], None


def _text(widget) -> str:
    "What a Label or HTML widget shows, tags removed and entities decoded"
    return html.unescape(re.sub(r'<[^>]*>', ' ', str(widget.value)))


@exercise('form.1', '07_prediction_form', 'a batch form', needs='batch_form')
def _batch(batch_form):
    import ipywidgets as widgets
    form = batch_form(_toy_predict)
    if not isinstance(form, widgets.Box): return f'return a container of widgets (a VBox or an HBox), not a {type(form).__name__}'
    box, hint = _find(form, 'batch-x', 'Text box')
    if hint: return hint
    button, hint = _find(form, 'batch-button', 'Button')
    if hint: return hint
    result, hint = _find(form, 'batch-result', 'HTML (or Label) for the result')
    if hint: return hint
    if not isinstance(box, widgets.Text): return f'the widget with the class batch-x should be a Text box, not a {type(box).__name__}'
    if not isinstance(button, widgets.Button): return f'the widget with the class batch-button should be a Button, not a {type(button).__name__}'
    if not hasattr(result, 'value'): return f'the widget with the class batch-result should be an HTML or a Label, not a {type(result).__name__}'

    box.value = '1, 0.1234,1000'
    button.click()
    shown = _text(result)
    expected = [for_people(y) for y in (3.0, 1.2468, 2001.0)]
    if not shown.strip():
        return ('typed "1, 0.1234,1000" and clicked: the result shows nothing. Does the button have an `on_click` callback '
                'that writes to the result? (an error inside a callback is only logged, the page stays as it was)')
    if '1.2468' in shown or '2001.0' in shown:
        return f'the result shows {shown.strip()!r}: round each prediction for a person with for_people, as the form does'
    if missing := [e for e in expected if e not in shown]:
        return f'typed "1, 0.1234,1000" with predict = 2x + 1: the result should show {", ".join(expected)}; {missing[0]} is missing from {shown.strip()!r}'
    if [shown.index(e) for e in expected] != sorted(shown.index(e) for e in expected):
        return f'the predictions should be in the order of the typed x values; the result shows {shown.strip()!r}'

    for typed, bad, what in (('2, abc, 3', ('abc',), 'a value that is not a number'), ('2, nan', ('nan',), '"nan"'),
                             ('2,, 3', None, 'an empty value between two commas'), ('2, 1e308', ('1e308', '1e+308'), 'a value whose prediction overflows')):
        box.value = typed
        button.click()
        shown = _text(result)
        if '5.00' in shown: return f'typed {typed!r}, which has {what}: show a message and no predictions, not {shown.strip()!r}'
        if '3.00' in shown or '2,001.00' in shown:
            return f'typed {typed!r}, which has {what}, and clicked: the predictions of the previous click are still shown ({shown.strip()!r}); replace them with a message'
        if not shown.strip():
            return (f'typed {typed!r}, which has {what}, and clicked: the result is empty. Catch the error in your callback and show '
                    'its message: an error inside a callback never reaches the person')
        if bad and not any(b in shown for b in bad): return f'typed {typed!r}: your message {shown.strip()!r} should name the bad value {bad[0]!r}, so the person can fix it'
    box.value = ' 7 '
    button.click()
    if for_people(15.0) not in _text(result): return f'after a bad batch, typing " 7 " and clicking should show {for_people(15.0)} again; the result shows {_text(result).strip()!r}'
    return None


@exercise('form.2', '07_prediction_form', 'a slider that predicts and warns', needs='slider_form')
def _slider(slider_form):
    import ipywidgets as widgets
    form = slider_form(_toy_predict, -1.0, 1.0)
    if not isinstance(form, widgets.Box): return f'return a container of widgets (a VBox or an HBox), not a {type(form).__name__}'
    slider, hint = _find(form, 'slider-x', 'FloatSlider')
    if hint: return hint
    label, hint = _find(form, 'slider-y', 'Label')
    if hint: return hint
    warning, hint = _find(form, 'slider-warning', 'HTML for the warning')
    if hint: return hint
    if not isinstance(slider, widgets.FloatSlider): return f'the widget with the class slider-x should be a FloatSlider, not a {type(slider).__name__}'
    if not hasattr(label, 'value') or not hasattr(warning, 'value'): return 'the slider-y and slider-warning widgets should be a Label and an HTML'
    if (slider.min, slider.max) != (-2.0, 2.0):
        return (f'with a training range of [-1, 1] (width 2), the slider should go one half width further on each side: '
                f'from -2 to 2, not from {slider.min:g} to {slider.max:g}')
    if slider.value != 0.0: return f'the slider should start in the middle of the training range, 0 here, not at {slider.value:g}'
    if label.value != for_people(1.0):
        return (f'before anybody moves the slider, the label should already show the prediction at the start, '
                f'{for_people(1.0)!r}; it shows {label.value!r}')
    if warning.layout.display != 'none': return 'at the start x is inside the training range: hide the warning (layout.display = "none")'
    for x, inside in ((1.5, False), (1.0, True), (-1.5, False), (-0.25, True), (-2.0, False), (0.5, True)):
        slider.value = x
        y = 2 * x + 1
        if label.value != for_people(y):
            if label.value in (str(y), repr(y), f'{y}'): return f'at x={x:g} the label shows {label.value!r}: round it for a person with for_people'
            return f'moved the slider to {x:g}: the label should show {for_people(y)!r} (the prediction, rounded by for_people), not {label.value!r}'
        shown = warning.layout.display != 'none'
        if inside and shown:
            return (f'at x={x:g} the warning is still shown ({_text(warning).strip()!r}), but x is inside the training range '
                    '[-1, 1], edges included: hide it again (layout.display = "none")')
        if not inside and not shown:
            return (f'at x={x:g}, outside the training range [-1, 1], the warning should be visible (layout.display = None), '
                    f'not {warning.layout.display!r}' + ('' if _text(warning).strip() else ', and say what range_warnings says'))
        if not inside and 'outside the training range' not in _text(warning):
            return f'at x={x:g} the warning says {_text(warning).strip()!r}: show the sentence range_warnings gives, so the person learns why'
    return None


WRONG_ANSWERS = {
    'form.1': [
        # raw predictions, not rounded
        '''import ipywidgets as widgets
import numpy as np
def batch_form(predict):
    box = widgets.Text().add_class('batch-x')
    button = widgets.Button(description='Predict').add_class('batch-button')
    result = widgets.HTML().add_class('batch-result')
    def go(_):
        xs = np.array([float(t) for t in box.value.split(',')])
        result.value = '<br>'.join(f'{x} -> {y}' for x, y in zip(xs, predict(xs.reshape(-1, 1))))
    button.on_click(go)
    return widgets.VBox([box, button, result])''',
        # no error handling: a bad value leaves the old predictions on the page
        '''import ipywidgets as widgets
import numpy as np
from regression_course.form import read_x
from regression_course.prediction import for_people, predict_values
def batch_form(predict):
    box = widgets.Text().add_class('batch-x')
    button = widgets.Button(description='Predict').add_class('batch-button')
    result = widgets.HTML().add_class('batch-result')
    def go(_):
        xs = np.array([read_x(t) for t in box.value.split(',')])
        result.value = '<br>'.join(f'{x:g}: {for_people(y)}' for x, y in zip(xs, predict_values(predict, xs)))
    button.on_click(go)
    return widgets.VBox([box, button, result])''',
        # a message that does not name the bad value; float() lets "nan" through
        '''import ipywidgets as widgets
import numpy as np
from regression_course.prediction import for_people
def batch_form(predict):
    box = widgets.Text().add_class('batch-x')
    button = widgets.Button(description='Predict').add_class('batch-button')
    result = widgets.HTML().add_class('batch-result')
    def go(_):
        try:
            xs = np.array([float(t) for t in box.value.split(',')])
            result.value = '<br>'.join(f'{x:g}: {for_people(y)}' for x, y in zip(xs, predict(xs.reshape(-1, 1))))
        except Exception:
            result.value = 'Please type numbers separated by commas.'
    button.on_click(go)
    return widgets.VBox([box, button, result])''',
    ],
    'form.2': [
        # updates on observe, but shows nothing before the first move
        '''import ipywidgets as widgets
import numpy as np
from regression_course.prediction import for_people, range_warnings
def slider_form(predict, x_min, x_max):
    half = (x_max - x_min) / 2
    slider = widgets.FloatSlider(min=x_min - half, max=x_max + half, value=(x_min + x_max) / 2).add_class('slider-x')
    label = widgets.Label().add_class('slider-y')
    warning = widgets.HTML(layout=widgets.Layout(display='none')).add_class('slider-warning')
    def update(change):
        x = change.new
        label.value = for_people(float(predict([[x]])[0]))
        text = ' '.join(range_warnings(np.array([x]), x_min, x_max))
        warning.value, warning.layout.display = text, (None if text else 'none')
    slider.observe(update, names='value')
    return widgets.VBox([slider, label, warning])''',
        # the warning is written but never shown or hidden
        '''import ipywidgets as widgets
import numpy as np
from regression_course.prediction import for_people, range_warnings
def slider_form(predict, x_min, x_max):
    half = (x_max - x_min) / 2
    slider = widgets.FloatSlider(min=x_min - half, max=x_max + half, value=(x_min + x_max) / 2).add_class('slider-x')
    label = widgets.Label().add_class('slider-y')
    warning = widgets.HTML(layout=widgets.Layout(display='none')).add_class('slider-warning')
    def update(_=None):
        x = slider.value
        label.value = for_people(float(predict([[x]])[0]))
        warning.value = ' '.join(range_warnings(np.array([x]), x_min, x_max))
    slider.observe(update, names='value')
    update()
    return widgets.VBox([slider, label, warning])''',
        # the edges of the training range count as outside
        '''import ipywidgets as widgets
from regression_course.prediction import for_people
def slider_form(predict, x_min, x_max):
    half = (x_max - x_min) / 2
    slider = widgets.FloatSlider(min=x_min - half, max=x_max + half, value=(x_min + x_max) / 2).add_class('slider-x')
    label = widgets.Label().add_class('slider-y')
    warning = widgets.HTML().add_class('slider-warning')
    def update(_=None):
        x = slider.value
        label.value = for_people(float(predict([[x]])[0]))
        outside = x <= x_min or x >= x_max
        warning.value = f'x={x} is outside the training range' if outside else ''
        warning.layout.display = None if outside else 'none'
    slider.observe(update, names='value')
    update()
    return widgets.VBox([slider, label, warning])''',
    ],
}
