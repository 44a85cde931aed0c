"""`make nbtest`: nbdev_test, keeping what it ran for the course site.

    python tools/nbtest.py [--n_workers 2] [--path nbs/02_composable.ipynb]

This is nbdev's own `nbdev_test` (the same notebooks, skip flags, `#| eval: false`, working folder, workers and
exit status), with one addition: each notebook that passes is also saved with its outputs, as `make docs`
would have executed it, in the site's cache (_proc/docs/<notebook>.<hash>.executed.ipynb, the hash being that
of the notebook and of regression_course/). nbdev's `show_doc` documentation of the exported names is run in the
same shell afterwards (a failure there is a documentation note, never a test failure). `make docs` after
`make nbtest` then executes nothing again: it only renders.
"""
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO/'tools'))

import nbdev.test as nbdev_test_module  # noqa: E402
from execnb.nbio import read_nb  # noqa: E402
from execnb.shell import CaptureShell  # noqa: E402
from fastcore.xtras import working_directory  # noqa: E402
from fastcore.basics import str2bool  # noqa: E402
from fastcore.foundation import L  # noqa: E402
from nbdev.frontmatter import FrontmatterProc  # noqa: E402
from nbdev.process import NBProcessor, nb_lang  # noqa: E402


def save_for_the_site(fn: Path, executed, shell) -> None:
    "Write `fn` with the outputs of `executed` (matched by cell id) and its show_doc cells run in `shell`"
    import os
    import nbformat
    import build_docs
    if fn.resolve() not in [p.resolve() for p in build_docs.course_notebooks()]: return
    outputs = {c.get('id'): c.get('outputs', []) for c in executed.cells if c.cell_type == 'code'}
    nb = build_docs.with_show_docs(fn)  # the notebook as written, with nbdev's show_doc cells added
    for cell in nb.cells:
        if cell.cell_type != 'code': continue
        tags = cell.metadata.get('tags', [])
        if 'added-show-doc' in tags:
            try: outs = shell.run(cell.source) or []
            except Exception: outs = []
            if any(o.get('output_type') == 'error' for o in outs):
                name = cell.source[len('show_doc('):].rstrip(')')
                outs = [nbformat.v4.new_output('display_data', data={'text/markdown': f'### {name}'})]
            cell.outputs = [nbformat.from_dict(dict(o)) for o in outs]
            for t in ('added-show-doc', 'raises-exception'): tags.remove(t)
        elif cell.get('id') in outputs:
            cell.outputs = [nbformat.from_dict(dict(o)) for o in outputs[cell.get('id')]]
        if 'tags' in cell.metadata and not tags: del cell.metadata['tags']
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
            with working_directory(fn.parent): save_for_the_site(Path(fn), nb, k)
        except Exception:  # the site's cache is a convenience: it never fails the tests
            sys.stderr.write(f'note: {fn.name}: not kept for the site:\n{traceback.format_exc()[-1500:]}\n')
    if do_print: print(f'- Completed {fn}')
    return res, time.time() - start


if __name__ == '__main__':
    import nbtest  # this file as a module, so the worker processes can find `test_nb` by name
    nbdev_test_module.test_nb = nbtest.test_nb  # nbdev_test looks `test_nb` up when it runs: it runs this one
    try:
        nbdev_test_module.nbdev_test()
    except SystemExit as e:
        if e.code:
            sys.exit('FAIL: nbdev_test: a notebook failed (see above); open it in `make lab` and run it top to bottom.')
    if '--path' not in sys.argv:
        print(f"nbdev_test: {len(list((REPO/'nbs').glob('*.ipynb')))} notebooks passed, 0 failed")
