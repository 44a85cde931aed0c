"""Solutions to the exercises of 05b_prediction, and the model answer to its design question (for
instructors).

Design question: where should the checks live?
    Both, with the server's checks as the ones that decide. The page is one client among many: a
    script, another team's service, curl, or a hostile client never run the page's JavaScript, so a
    server that trusts the browser answers their bad input with a 500 or a nonsense 200, as the
    first app did.

    In the browser: only checks that help the person typing, as they type: "this is not a number", a
    hint when the value is far outside the usual range. They make the page pleasant; they guarantee
    nothing. On the server: every check that protects the model and the answer (a number, finite,
    not a boolean, at most 10,000 values, a prediction that does not overflow), with a 4xx and a
    message a client can act on.

    The danger of two sets is drift: the page accepts "1,5" and the server refuses it, and the
    person sees a confusing error. The course avoids it by having the page use the same `prediction`
    module as the server (a Voila page runs Python), and a browser-only page could fetch the
    server's answer and show its message rather than copy the rules. Credit answers that name the
    clients who never see the page.
"""

# exercise prediction.1
from regression_course.prediction import USAGE, ParsedX, RequestError, parse_x

def parse_x_strict(payload) -> ParsedX:
    "`parse_x`, but a JSON object with any key other than `x` is refused with a 400 naming the key(s)"
    if isinstance(payload, dict) and (unknown := sorted(str(k) for k in payload if k != 'x')):
        names = ', '.join(f'"{k}"' for k in unknown)
        raise RequestError(f'unknown key(s) {names}: only "x" is read; {USAGE}')
    return parse_x(payload)

# exercise prediction.2
import numpy as np
from regression_course.prediction import predict_values

def flagged_predictions(predict, values:np.ndarray, x_min:float, x_max:float) -> list[dict]:
    "One dict per x: the x, its prediction, and whether it lies outside the training range [x_min, x_max]"
    predictions = predict_values(predict, values)  # refuses predictions that overflow
    return [{'x': float(x), 'prediction': float(y), 'extrapolated': bool(x < x_min or x > x_max)}
            for x, y in zip(values, predictions)]
