"""The course notebooks' code reads on a projector (DEVELOPERS.md: the scikit-learn gallery's style).

In every code cell of a course notebook (nbs/0*): lines of at most 100 characters, no semicolons, one statement a
line and no one-line bodies (`if x: y`, `def f(): return 1`). Appendix notebooks (nbs/9*) are not held to it.
"""
import ast
import io
import json
import re
import tokenize

import pytest

from conftest import REPO_ROOT

WIDTH = 100
COURSE = sorted((REPO_ROOT/'nbs').glob('0*.ipynb'))
BLOCKS = (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
          ast.ExceptHandler, ast.AsyncFor, ast.AsyncWith)


def problems(source: str) -> list[str]:
    "What breaks the projector rules in one cell's code"
    lines = source.splitlines()
    found = [f'line {n}: {len(line)} characters' for n, line in enumerate(lines, 1) if len(line) > WIDTH]
    ipython = re.compile(r'\s*(?:\w+\s*=\s*)?[!%]')  # a magic or a shell line (`!curl ...`, `out = !curl ...`)
    code = '\n'.join('' if ipython.match(line) else line for line in lines)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        tree = ast.parse(code)
    except (SyntaxError, tokenize.TokenError):
        return found + ['not Python']
    found += [f'line {t.start[0]}: a semicolon' for t in tokens if t.type == tokenize.OP and t.string == ';']
    for node in ast.walk(tree):
        if not isinstance(node, BLOCKS): continue
        bodies = [getattr(node, name, None) for name in ('body', 'orelse', 'finalbody')]
        if any(isinstance(body, list) and body and body[0].lineno == node.lineno for body in bodies):
            found.append(f'line {node.lineno}: a one-line body')
    return found


def test_the_rules_catch_what_they_name():
    assert problems('x = 1; y = 2') == ['line 1: a semicolon']
    assert problems('if x: y()') == ['line 1: a one-line body']
    assert problems('def f(): return 1') == ['line 1: a one-line body']
    assert problems('x = 1\n' + 'y = ' + '1' * WIDTH) == [f'line 2: {WIDTH + 4} characters']
    assert problems('!ls; pwd\nfiles = !ls; pwd\nif x:\n    y()') == []


@pytest.mark.parametrize('path', COURSE, ids=lambda p: p.stem)
def test_course_notebook_code_reads_on_a_projector(path):
    cells = json.loads(path.read_text())['cells']
    found = [f'cell {i} {p}' for i, cell in enumerate(cells) if cell['cell_type'] == 'code'
             for p in problems(''.join(cell['source']))]
    assert found == [], f'{path.name}: {found}'
