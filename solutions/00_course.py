# exercise course.1
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, r2_score

def checkpoint_figures(X_train, y_train, X_test, y_test):
    "The five checkpoint figures of a linear regression fitted on train rows, scored on test rows"
    model = LinearRegression().fit(X_train, y_train)
    predicted = model.predict(X_test)
    return {'coef': float(model.coef_[0]),
            'intercept': float(model.intercept_),
            'mse': float(mean_squared_error(y_test, predicted)),
            'r2': float(r2_score(y_test, predicted)),
            'prediction_at_10': float(model.predict([[10.0]])[0])}

# exercise course.2
# A: bakery forecasts: data, cheap mistakes, a daily measurement: no sign.
# B: take-off decided alone: one wrong answer is a disaster and nothing catches it (3).
# C: the tax office publishes the formula: a simpler solution does the job (1).
# D: nobody can tell a better slogan from a worse one: no reliable measurement (4).
# E: a new product, no records: no data (2).
warning_signs = {'A': None, 'B': 3, 'C': 1, 'D': 4, 'E': 2}
