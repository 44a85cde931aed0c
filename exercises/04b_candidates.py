"""Checks for the exercises of 04b_candidates."""
from regression_course.exercises import exercise


@exercise('practice.1', '04b_candidates', 'a lasso candidate', needs=('parse_candidates', 'make_estimator'))
def _lasso(parse_candidates, make_estimator):
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    for spec, expected in (('linear,ridge:1,ridge:10.0', ['linear', 'ridge:1', 'ridge:10']),
                           ('linear,lasso:0.5,ridge:10', ['linear', 'lasso:0.5', 'ridge:10']),
                           (' Lasso:2.0 ', ['lasso:2'])):
        try: got = parse_candidates(spec)
        except ValueError as e: return f'parse_candidates({spec!r}) refused it with ValueError ({e}): it should give {expected}'
        if got != expected:
            return f'parse_candidates({spec!r}) gave {got}, expected {expected}' + (
                ': spell each lasso one way, as ridge is (lasso:2.0 is lasso:2)' if 'lasso:2' in expected else '')
    for bad, why in (('lasso', 'a lasso needs its alpha, e.g. lasso:1'), ('lasso:-1', 'alpha must be positive'),
                     ('lasso:0', 'alpha must be positive (alpha 0 is plain linear regression)'), ('lasso:many', 'alpha must be a number'),
                     ('lasso:1,lasso:1.0', 'the same candidate twice'), ('elasticnet:1', 'an unknown kind')):
        try: got = parse_candidates(bad)
        except ValueError: continue
        except Exception as e: return f'parse_candidates({bad!r}) stopped with {type(e).__name__}; a bad spec should raise ValueError ({why})'
        return f'parse_candidates({bad!r}) gave {got}: it should raise ValueError ({why})'
    for name, kind, alpha in (('lasso:0.5', Lasso, 0.5), ('ridge:2', Ridge, 2.0), ('linear', LinearRegression, None)):
        est = make_estimator(name)
        if type(est) is not kind: return f'make_estimator({name!r}) gave a {type(est).__name__}, expected a {kind.__name__}'
        if alpha is not None and est.alpha != alpha: return f'make_estimator({name!r}) has alpha {est.alpha}, expected {alpha}'
    if make_estimator('lasso:1') is make_estimator('lasso:1'): return 'make_estimator should return a fresh estimator each time'
    return None


WRONG_ANSWERS = {
    'practice.1': [
        '''from regression_course.pipeline import parse_candidates as _course
def parse_candidates(spec):
    return [p.strip().lower() for p in spec.split(',') if p.strip()] if 'lasso' in spec.lower() else _course(spec)
def make_estimator(name):
    from sklearn.linear_model import Lasso, LinearRegression, Ridge
    kind, _, arg = name.partition(':')
    return LinearRegression() if kind == 'linear' else Lasso(alpha=float(arg)) if kind == 'lasso' else Ridge(alpha=float(arg))''',
        '''from regression_course.pipeline import parse_candidates as _course, make_estimator
def parse_candidates(spec):
    names = []
    for part in (p.strip().lower() for p in spec.split(',') if p.strip()):
        kind, _, arg = part.partition(':')
        names += [f'lasso:{float(arg):g}'] if kind == 'lasso' else _course(part)
    if len(set(names)) != len(names): raise ValueError('twice')
    return names''',
    ],
}
