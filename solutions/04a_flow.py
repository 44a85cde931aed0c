# exercise flow.1
from regression_course import config

def flow_with_row_counts() -> str:
    "The course flow, with `train` also storing how many rows it trains and tests on"
    source = config.FLOW_FILE.read_text()
    line = "        self.x_range = (float(self.X_train.min()), float(self.X_train.max()))  # where the model may be trusted\n"
    assert line in source
    return source.replace(line, line + "        self.n_train, self.n_test = len(self.X_train), len(self.X_test)\n")

# exercise flow.2
from regression_course import config

def flow_with_residuals() -> str:
    "The course flow with a step `residuals` between `test_model` and `end`, storing the spread of the test residuals"
    source = config.FLOW_FILE.read_text()
    step = '''
    @step
    def residuals(self):
        """The spread of the errors on the held-out rows, in the units of y."""
        import numpy as np
        self.residual_std = float(np.std(self.y_test - self.model.predict(self.X_test)))
        self.next(self.end)
'''
    assert source.count('        self.next(self.end)\n') == 1  # only test_model goes to end
    source = source.replace('        self.next(self.end)\n', '        self.next(self.residuals)\n')  # test_model -> residuals
    return source.replace('\n    @step\n    def end(self):', step + '\n    @step\n    def end(self):')
