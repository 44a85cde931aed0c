"""The capstone's dataset: four trading desks, each with its own line from the market to its P&L.

    python capstone/make_data.py             # writes capstone/desks.txt, the file the flow reads
    python capstone/make_data.py --out broken.txt --bad_desk credit   # one desk's feed broken

Each line is a day on one desk: `desk<TAB>x<TAB>y`, after a header line. `x` is the market's move
that day (in per cent, between -3 and 3) and `y` the desk's profit or loss, which follows a line of
its own plus noise:

| desk     | intercept | slope | rows |
|----------|-----------|-------|------|
| equities | 0.5       | 9.0   | 450  |
| rates    | 1.5       | -2.0  | 150  |
| credit   | -1.0      | 6.0   | 250  |
| fx       | 0.0       | 3.0   | 150  |

(noise: normal, standard deviation 2, the same for every desk). One line for all desks fits them
well ON AVERAGE (a test R2 of 0.66), and fails the rates desk, whose P&L falls when the market
rises, and the small fx desk.

`--bad_desk` plants a broken feed: that desk's `y` values are shuffled among its own days, so each
P&L belongs to another day. Its rows, its x and its y look exactly as before (same count, same
ranges, same mean and spread): only a test of the model on that desk's own days can tell. The file
is the same on every machine: the generator is seeded (numpy's PCG64), and the values are written
with a fixed number of decimals.
"""
import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATASET = HERE/'desks.txt'
SEED = 7773
NOISE = 2.0
DESKS = {  # desk: (intercept, slope, rows)
    'equities': (0.5, 9.0, 450),
    'rates': (1.5, -2.0, 150),
    'credit': (-1.0, 6.0, 250),
    'fx': (0.0, 3.0, 150),
}
HEADER = 'desk\tx\ty'


def true_pnl(desk: str, x: float) -> float:
    "The desk's P&L when the market moves by `x`, without the noise: what a perfect model says"
    intercept, slope, _ = DESKS[desk]
    return intercept + slope * x


def make_desks(seed: int = SEED, bad_desk: str | None = None) -> list[tuple[str, float, float]]:
    "The days, in a random order: (desk, x, y); with `bad_desk`, that desk's y shuffled"
    if bad_desk is not None and bad_desk not in DESKS:
        raise ValueError(f'no desk {bad_desk!r}: the desks are {", ".join(DESKS)}')
    rng = np.random.default_rng(seed)
    rows = []
    for desk, (intercept, slope, n) in DESKS.items():
        x = rng.uniform(-3, 3, n)
        y = intercept + slope * x + rng.normal(0, NOISE, n)
        if desk == bad_desk:
            # a stream of its own, so that every other desk's days stay exactly the same
            y = np.random.default_rng([seed, 1]).permutation(y)
        rows += [(desk, float(a), float(b)) for a, b in zip(x, y)]
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def desks_text(seed: int = SEED, bad_desk: str | None = None) -> str:
    "The dataset as the flow reads it: a header, then one `desk<TAB>x<TAB>y` line a day"
    lines = [HEADER]
    lines += [f'{desk}\t{x:.6f}\t{y:.6f}' for desk, x, y in make_desks(seed, bad_desk)]
    return '\n'.join(lines) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(DATASET), help='where to write the dataset')
    ap.add_argument('--seed', type=int, default=SEED, help='the seed (the shipped file: default)')
    ap.add_argument('--bad_desk', default=None, help=f'break one desk\'s feed: {", ".join(DESKS)}')
    args = ap.parse_args(argv)
    text = desks_text(args.seed, args.bad_desk)
    Path(args.out).write_text(text)
    broken = f', the {args.bad_desk} desk\'s feed broken' if args.bad_desk else ''
    print(f'wrote {args.out}: {text.count(chr(10)) - 1} days on {len(DESKS)} desks{broken}')


if __name__ == '__main__':
    main()
