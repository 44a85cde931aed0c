"""Solutions to the exercises of 01_monolith, and the model answer to its design question (for
instructors).

Design question: when is a monolith enough?
    The Friday question: keep the monolith (or a notebook). It runs once, for one reader; speed of
    writing is what counts, nothing will reuse it, and its figures can be checked by reading the
    output and the picture. Keep what makes the answer repeatable: the data file (or its hash), the
    seed, and the output. Breaking it up first would spend the afternoon on names and arguments for
    code that is thrown away on Monday.

    The nightly job: break it up before it runs every night, not after. What hurts first, and when:
    a bad file at 3 a.m. stops it with Python's own message, which names neither the file nor the
    line; a plot window opened on a server with no screen; the first "can we try a second model?",
    answered by copying the reading and the split; a test of one step that must run all of them and
    scrape the printout; and in a month, the question "which data and which code made the model
    served on Tuesday?", which nothing recorded. Each gets more expensive the longer the script runs:
    people build on its printed output, copies drift apart, and without tests a refactoring cannot be
    shown to change nothing (02_composable could only show it because the monolith's figures were
    known).

    Credit an answer that keeps the monolith for the one-off job and names concrete failures for the
    nightly one; question one that breaks up everything always, or never.
"""

# exercise monolith.1
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn import linear_model, metrics
from sklearn.model_selection import train_test_split

from regression_course.data import DATASET_PATH
from regression_course.monolith import MonolithResult

def monolith_with_test_size(file_name=DATASET_PATH, test_size=0.2, plot_path=None):
    "The monolith, with the share of rows held out for testing as a parameter"
    Xs = []
    Ys = []
    with open(file_name) as f:
        for line in f.readlines():
            x, y = line.split('\t')
            Xs.append([float(x)])
            Ys.append(float(y))
    X_train, X_test, y_train, y_test = train_test_split(Xs, Ys, test_size=test_size,
                                                        random_state=42)
    print(len(X_train), len(X_test))
    reg = linear_model.LinearRegression()
    reg.fit(X_train, y_train)
    y_predicted = reg.predict(X_test)
    fig, ax = plt.subplots()
    ax.scatter(y_predicted, y_test, edgecolors=(0, 0, 1))
    ax.set_xlabel('Predicted')
    ax.set_ylabel('Actual')
    if plot_path is not None:
        plt.savefig(plot_path, bbox_inches='tight')
    plt.close(fig)
    mse = metrics.mean_squared_error(y_test, y_predicted)
    r2 = metrics.r2_score(y_test, y_predicted)
    print('MSE is {}, R2 score is {}'.format(mse, r2))
    return MonolithResult(float(mse), float(r2), float(reg.coef_[0]), float(reg.intercept_))

# exercise monolith.2
import tempfile
from pathlib import Path

def test_split_is_shuffled(monolith):
    "Fails for a monolith that trains on the first 80% of the lines instead of a shuffled 80%"
    folder = Path(tempfile.mkdtemp())
    # the first 800 lines lie on y = x, the last 200 on y = 5x: only a shuffled split sees both
    rows = [(x, x) for x in range(800)] + [(x, 5 * x) for x in range(800, 1000)]
    (folder/'two_lines.txt').write_text(''.join(f'{x}\t{y}\n' for x, y in rows))
    result = monolith(folder/'two_lines.txt', plot_path=folder/'plot.png')
    assert result.coef > 1.5, f'slope {result.coef}: the model only saw the first lines of the file'
