# exercise practice.1
def parse_candidates(spec:str) -> list[str]:
    "Check a comma-separated list of candidates (linear, ridge:<alpha>, lasso:<alpha>); their names"
    names = []
    for part in str(spec).split(','):
        part = part.strip().lower()
        if not part:
            continue
        kind, _, arg = part.partition(':')
        if kind == 'linear' and not arg:
            name = 'linear'
        elif kind in ('ridge', 'lasso'):
            try:
                alpha = float(arg)
            except ValueError:
                raise ValueError(f'candidate {part!r}: {kind} needs a number') from None
            if not 0 < alpha < float('inf'):
                raise ValueError(f'candidate {part!r}: alpha must be positive and finite')
            name = f'{kind}:{alpha:g}'
        else:
            raise ValueError(f'unknown candidate {part!r}: use linear, ridge:... or lasso:...')
        if name in names:
            raise ValueError(f'candidate {name!r} is listed twice')
        names.append(name)
    if not names:
        raise ValueError('no candidates given: use e.g. linear,lasso:1')
    return names

def make_estimator(name:str):
    "A fresh, unfitted scikit-learn estimator for candidate `name`"
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    kind, _, arg = name.partition(':')
    if kind == 'linear':
        return LinearRegression()
    if kind == 'lasso':
        return Lasso(alpha=float(arg))
    return Ridge(alpha=float(arg))
