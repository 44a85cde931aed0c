"""`make nbtest`: nbdev_test, keeping what it ran for the course site.

    python tools/nbtest.py [--n_workers 2] [--path nbs/02_composable.ipynb]

This is nbdev's own `nbdev_test` (the same notebooks, skip flags, `#| eval: false`, working folder, workers and
exit status), with one addition: each notebook that passes is also saved with its outputs, as `make docs`
would have executed it, in the site's cache (_proc/docs/<notebook>.<hash>.executed.ipynb, the hash being that
of the notebook and of regression_course/). `make docs` after `make nbtest` then executes nothing again: it only
renders.
"""
import functools
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO/'tools'))

import nbdev.test as nbdev_test_module  # noqa: E402
from slowest_first import slowest_first  # noqa: E402
from execnb.nbio import read_nb  # noqa: E402
from execnb.shell import CaptureShell  # noqa: E402
from fastcore.xtras import working_directory  # noqa: E402
from fastcore.basics import str2bool  # noqa: E402
from fastcore.foundation import L  # noqa: E402
from nbdev.frontmatter import FrontmatterProc  # noqa: E402
from nbdev.process import NBProcessor, nb_lang  # noqa: E402


def save_for_the_site(fn: Path, executed) -> None:
    "Write `fn` with the outputs of `executed` (matched by cell id) into the site's cache"
    import os
    import nbformat
    import build_docs
    if fn.resolve() not in [p.resolve() for p in build_docs.course_notebooks()]: return
    outputs = {c.get('id'): c.get('outputs', []) for c in executed.cells if c.cell_type == 'code'}
    nb = nbformat.read(fn, as_version=4)  # the notebook as written
    for cell in nb.cells:
        if cell.cell_type == 'code' and cell.get('id') in outputs:
            cell.outputs = [nbformat.from_dict(dict(o)) for o in outputs[cell.get('id')]]
    plan = build_docs.build_plan()
    dest = plan[fn.stem][1]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(f'.{os.getpid()}.tmp')
    nbformat.write(nb, tmp)
    tmp.replace(dest)


def test_nb(fn, skip_flags=None, force_flags=None, do_print=False, showerr=True, basepath=None):
    "nbdev's `test_nb`, unchanged but for keeping the executed notebook for the site (see the module docstring)"
    import os
    if basepath: sys.path.insert(0, str(basepath))
    os.environ['IN_TEST'] = '1'
    flags = set(L(skip_flags)) - set(L(force_flags))
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    fm = getattr(nb, 'frontmatter_', {})
    if str2bool(fm.get('skip_exec', False)) or nb_lang(nb) != 'python': return True, 0

    def _no_eval(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return flags & direc.keys()

    start = time.time()
    k = CaptureShell(fn)
    if do_print: print(f'Starting {fn}')
    try:
        with working_directory(fn.parent):
            k.run_all(nb, exc_stop=True, preproc=_no_eval)
            res = True
    except Exception:
        if showerr: sys.stderr.write(k.prettytb(fname=fn) + '\n')
        res = False
    if res:
        try:
            with working_directory(fn.parent): save_for_the_site(Path(fn), nb)
        except Exception:  # the site's cache is a convenience: it never fails the tests
            sys.stderr.write(f'note: {fn.name}: not kept for the site:\n{traceback.format_exc()[-1500:]}\n')
    if do_print: print(f'- Completed {fn} in {time.time() - start:.0f} s')
    return res, time.time() - start


# What every notebook imports, loaded once by the process that starts the workers (about 4 processor-seconds a
# process): each notebook's process is a copy of it (a fork), clean, and quick to start. Never metaflow here:
# what a notebook's flow run does to Python (below) must not reach the next notebook.
PRELOAD = ['nbtest', 'nbdev.test', 'execnb.shell', 'nbformat', 'IPython', 'numpy', 'pandas', 'scipy.stats',
           'matplotlib', 'sklearn.linear_model', 'sklearn.model_selection']


def one_process_each(f, items, *args, n_workers=2, **kwargs):
    "fastcore's `parallel` as nbdev_test calls it, but each notebook in a process of its own"
    # nbdev_test's workers run notebook after notebook, and what one notebook imports stays for the next: after
    # a notebook that ran a flow with metaflow.Runner (whose vendored typing_extensions replaces a function of
    # `typing`), 09's `import hera` failed, though 09 passes alone. A notebook must run as it runs alone.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from fastcore.foundation import L
    kwargs.pop('progress', None)
    kwargs.pop('pause', None)
    context = multiprocessing.get_context('forkserver')  # forks of one clean process (Linux and macOS)
    context.set_forkserver_preload(PRELOAD)
    run = functools.partial(f, *args, **kwargs)
    with ProcessPoolExecutor(max(1, n_workers), mp_context=context, max_tasks_per_child=1) as pool:
        order = slowest_first(items, SLOWEST, lambda path: Path(path).stem)
        started = {item: pool.submit(run, item) for item in order}
        return L(started[item].result() for item in items)  # the results in nbdev's order


# The notebooks that take longest start first, longest first: in file order, one started last kept the run going
# long after the rest had finished. Seconds each took in `make test` (beside pytest, 3 workers; `make nbtest` prints
# them): 96b 152, 97 135, 05 117, 99 108, 09 83, 97b 79, 91b 73, 04d 73, 08 60; every other one 35 or less.
SLOWEST = ('96b_slow_clients', '97_form_app', '05_client_api', '99_config', '09_off_the_laptop', '97b_page_views',
           '91b_remote_store', '04d_champion', '08_monitoring')


if __name__ == '__main__':
    import nbtest  # this file as a module, so the worker processes can find `test_nb` by name
    nbdev_test_module.test_nb = nbtest.test_nb  # nbdev_test looks `test_nb` up when it runs: it runs this one
    nbdev_test_module.parallel = nbtest.one_process_each
    try:
        nbdev_test_module.nbdev_test()
    except SystemExit as e:
        if e.code:
            sys.exit('FAIL: nbdev_test: a notebook failed (see above); open it in `make lab` and run it top to bottom.')
    if not {'--path', '--file_re'} & set(sys.argv):  # only when every notebook ran
        print(f"nbdev_test: {len(list((REPO/'nbs').glob('*.ipynb')))} notebooks passed, 0 failed")
