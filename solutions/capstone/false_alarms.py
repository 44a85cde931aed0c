"""The evidence behind the reference solution's per-desk test (instructors only): how often a
threshold on a desk's test R2 fails a SOUND desk (a false alarm) and lets a BROKEN one through (a
miss).

    python solutions/capstone/false_alarms.py

It repeats the flow's split and per-desk test outside Metaflow (the same stratified split, one
LinearRegression per desk, R2 on the desk's own test days), so that 2,000 splits take seconds, not
hours of flow runs: 20 datasets (generator seeds 0-19) x 20 splits for the sound desks, and every
desk broken in turn x 5 splits. """
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]/'capstone'))
import make_data  # noqa: E402  (capstone/make_data.py)


def split(desks, seed, share=0.2):
    "The flow's split: the same share of every desk's days held out, drawn with numpy's generator"
    rng = np.random.default_rng(seed)
    test = []
    for desk in sorted(set(desks)):
        rows = rng.permutation(np.flatnonzero(desks == desk))
        test.extend(rows[:round(len(rows) * share)])
    test = np.sort(np.array(test))
    return np.setdiff1d(np.arange(len(desks)), test), test


def desk_r2(rows, seed) -> dict:
    "Each desk's test R2, with a line fitted on its own training days"
    desks = np.array([r[0] for r in rows])
    X = np.array([[r[1]] for r in rows])
    y = np.array([r[2] for r in rows])
    train, test = split(desks, seed)
    out = {}
    for desk in sorted(set(desks)):
        t, s = train[desks[train] == desk], test[desks[test] == desk]
        out[desk] = r2_score(y[s], LinearRegression().fit(X[t], y[t]).predict(X[s]))
    return out


if __name__ == '__main__':
    sound, broken = [], []
    for data_seed in range(20):
        clean = make_data.make_desks(seed=data_seed)
        for seed in range(20):
            sound += list(desk_r2(clean, seed).values())
        for bad in make_data.DESKS:
            for seed in range(5):
                rows = make_data.make_desks(seed=data_seed, bad_desk=bad)
                broken.append(desk_r2(rows, seed)[bad])
    sound, broken = np.array(sound), np.array(broken)
    print(f'sound desks: {len(sound)} tests, lowest R2 {sound.min():.3f}; '
          f'broken desks: {len(broken)} tests, highest R2 {broken.max():.3f}')
    for threshold in (0.5, 0.4, 0.3, 0.25, 0.2, 0.1):
        print(f'min_r2 {threshold:4}: false alarms {(sound < threshold).sum():3} of {len(sound)}, '
              f'missed broken desks {(broken >= threshold).sum():3} of {len(broken)}')
