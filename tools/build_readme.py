"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto; this needs only nbformat).

Markdown cells are copied as they are; code cells are shown as Python blocks unless they carry a
`#| hide` directive; nbdev directives are dropped; links into nbs/ are made relative to the repository root.
`--check` compares instead of writing, and exits 1 when README.md is out of date.
"""
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- Generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file. -->\n\n'


def readme_text(nb_path: Path = ROOT/'nbs'/'index.ipynb') -> str:
    "The README's text, made from the index notebook"
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        lines = cell.source.splitlines()
        directives = [l for l in lines if l.startswith('#|')]
        body = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if not body: continue
        if cell.cell_type == 'markdown':
            parts.append(re.sub(r'\]\((?!https?:|#|/)([^)]+)\)', r'](nbs/\1)', body))
        elif cell.cell_type == 'code' and not any(re.match(r'#\|\s*(hide|default_exp)', d) for d in directives):
            parts.append(f'```python\n{body}\n```')
    return HEADER + '\n\n'.join(parts) + '\n'


def main(argv):
    text, readme = readme_text(), ROOT/'README.md'
    if '--check' in argv:
        if not readme.exists() or readme.read_text(encoding='utf-8') != text:
            print('README.md is out of date with nbs/index.ipynb', file=sys.stderr)
            return 1
        return 0
    readme.write_text(text, encoding='utf-8')
    print(f'wrote {readme.relative_to(ROOT)}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
