"""Solutions to the exercises of 07_prediction_form, and the model answer to its design question (for
instructors).

Design question: an answer outside the training range.
    Predict and warn, and keep the warning, rewritten for the people who read it ("this x is outside
    the values the model was trained on: the prediction is a guess"). Removing it lets a person
    believe a guess as much as an interpolation, which is exactly the false belief the warning
    exists to prevent; "it confuses people" is a reason to word it better and show it in the picture
    (the point outside the shaded band), not to hide it.

    Refusing is honest but unhelpful: a person who needs an estimate at x = 12 gets nothing and
    learns nothing. Bounding the input (a slider limited to the training range) prevents the
    question from being asked; it suits a page whose users must not extrapolate (a regulated
    decision), and then the API should refuse too.

    Whatever the choice, the page and the API should agree on what counts as outside the range (one
    rule, in `prediction`), even if they present it differently: a person sees a warning, a program
    gets a flag. Credit answers that think about what a person will believe and do with the number.
"""

# exercise form.1
import html

import ipywidgets as widgets
import numpy as np
from regression_course.form import read_x
from regression_course.prediction import RequestError, for_people, predict_values

def batch_form(predict) -> widgets.VBox:
    "A text box for comma-separated x values, a button, and the predictions rounded for a person (or what is wrong)"
    box = widgets.Text(description='x values', placeholder='e.g. 1, 2.5, 10').add_class('batch-x')
    button = widgets.Button(description='Predict', button_style='primary').add_class('batch-button')
    result = widgets.HTML().add_class('batch-result')
    def predict_batch(_):
        try:
            xs = np.array([read_x(text) for text in box.value.split(',')])
            ys = predict_values(predict, xs)
        except (ValueError, RequestError) as e:  # a message for the person, never a traceback
            result.value = f'<span style="color:#c82333">{html.escape(str(e))}</span>'
            return
        rows = ''.join(f'<tr><td>{x:g}</td><td>{for_people(y)}</td></tr>' for x, y in zip(xs, ys))
        result.value = f'<table><tr><th>x</th><th>predicted y</th></tr>{rows}</table>'
    button.on_click(predict_batch)
    return widgets.VBox([widgets.HBox([box, button]), result])

# exercise form.2
import ipywidgets as widgets
import numpy as np
from regression_course.prediction import for_people, predict_values, range_warnings

def slider_form(predict, x_min:float, x_max:float) -> widgets.VBox:
    "A slider half a range wider than the training range on each side, the prediction, and a warning outside it"
    half = (x_max - x_min) / 2
    slider = widgets.FloatSlider(description='x', min=x_min - half, max=x_max + half, value=(x_min + x_max) / 2,
                                 step=(x_max - x_min) / 100).add_class('slider-x')
    label = widgets.Label().add_class('slider-y')
    warning = widgets.HTML(layout=widgets.Layout(display='none')).add_class('slider-warning')
    def update(_=None):
        x = slider.value
        label.value = for_people(float(predict_values(predict, np.array([x]))[0]))
        text = ' '.join(range_warnings(np.array([x]), x_min, x_max))
        warning.value = text
        warning.layout.display = None if text else 'none'
    slider.observe(update, names='value')
    update()  # the prediction at the start, before anybody moves the slider
    return widgets.VBox([slider, label, warning])
