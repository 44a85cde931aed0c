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
