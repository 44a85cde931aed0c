"""Mark where each course notebook's slides start: the `slideshow` cell metadata `make slides` cuts decks by.

    python tools/slide_marks.py                 # every course notebook, nbs/0*.ipynb
    python tools/slide_marks.py nbs/02_composable.ipynb --check   # exit 1 if a notebook's marks are not up to date

Deterministic and idempotent: the marks follow from the cells alone, so running it twice changes nothing, and
re-running it after editing a notebook moves the marks with the text. The rules:
- the title cell (`# `) and every `## ` heading start a slide; every `### ` heading starts a subslide (a slide
  below, reached with the down arrow or space);
- cells the site does not show (`#| hide`, `#| default_exp`) are `skip`; exported cells are the course's code,
  and show like any other;
- a long code cell (more than LONG_CODE lines) starts a subslide of its own, so it fits a projector, and the cell
  after it starts another;
- when a slide has grown past SLIDE_BUDGET lines (headings, prose, code; a picture counts PICTURE_LINES, and a
  code cell that draws one, calling a `draw_...` or `plot_...` function, DRAWN_LINES), the next cell starts a
  subslide; a paragraph that introduces a code cell (prose, then code) moves to the next subslide with it
  rather than stay behind;
- everything else continues the current slide (`-`). Speaker notes you mark yourself (`notes`: a markdown
  cell, placed after the heading of the section it is about) are kept, and take no room on a slide.
Only the `slideshow` key of a cell's metadata is touched. nbdev_clean keeps it with
`allowed_cell_metadata_keys = slideshow` in settings.ini.
"""
import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LONG_CODE = 15       # lines of code that fill a slide on their own
SLIDE_BUDGET = 22    # lines that fit one slide on a projector
PICTURE_LINES = 10
DRAWN_LINES = 14     # a figure drawn by a code cell: about half a slide
WRAP = 90            # characters of prose in one slide line
HIDDEN = {'hide', 'default_exp'}


def _src(cell) -> str:
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def directives(src: str) -> set[str]:
    "nbdev's `#| name` directives at the top of a code cell"
    names = set()
    for line in src.splitlines():
        if not line.strip(): continue
        m = re.match(r'\s*#\|\s*([\w-]+)', line)
        if not m: break
        names.add(m.group(1))
    return names


def code_lines(cell) -> int:
    "The lines of code a code cell shows (its `#|` directives are not shown)"
    return len([l for l in _src(cell).splitlines() if not l.lstrip().startswith('#|')])


_DRAWS = re.compile(r'^\s*(?:\w+\s*=\s*)?(?:\w+\.)*(?:draw|plot)_\w+\(', re.M)


def shown_lines(cell) -> int:
    "About how many lines a cell takes on a slide"
    src = _src(cell)
    if cell['cell_type'] == 'code':
        picture = DRAWN_LINES if _DRAWS.search(src) else 0
        return code_lines(cell) + 2 + picture  # and a line or two of output, most of the time
    lines = 0
    for line in src.splitlines():
        if re.search(r'!\[[^\]]*\]\([^)]+\)|<img\b', line): lines += PICTURE_LINES
        else: lines += max(1, -(-len(line) // WRAP))
    return lines


def _shown(cell) -> bool:
    "Whether a cell is on a slide at all (not plumbing, not speaker notes)"
    if cell['cell_type'] == 'raw': return False
    if cell.get('metadata', {}).get('slideshow', {}).get('slide_type') == 'notes': return False
    return not (cell['cell_type'] == 'code' and directives(_src(cell).lstrip()) & HIDDEN)


def mark(cells: list) -> list[str]:
    "The slide type of each cell, following the rules in this module's docstring"
    types, used, after_long = [], 0, False
    for i, cell in enumerate(cells):
        src = _src(cell).lstrip()
        old = cell.get('metadata', {}).get('slideshow', {}).get('slide_type')
        size = shown_lines(cell)
        following = next((c for c in cells[i + 1:] if _shown(c)), None)  # what a paragraph introduces
        long = cell['cell_type'] == 'code' and code_lines(cell) > LONG_CODE
        if cell['cell_type'] == 'code' and directives(src) & HIDDEN: kind = 'skip'
        elif old == 'notes': kind = 'notes'
        elif cell['cell_type'] == 'raw': kind = 'skip'
        elif i == 0 or (cell['cell_type'] == 'markdown' and re.match(r'#{1,2}\s', src)): kind = 'slide'
        elif cell['cell_type'] == 'markdown' and re.match(r'###\s', src): kind = 'subslide'
        elif long: kind = 'subslide'
        elif after_long or used + size > SLIDE_BUDGET: kind = 'subslide'
        elif (cell['cell_type'] == 'markdown' and following is not None and following['cell_type'] == 'code'
              and code_lines(following) <= LONG_CODE and used + size + shown_lines(following) > SLIDE_BUDGET
              and size + shown_lines(following) <= SLIDE_BUDGET):
            kind = 'subslide'  # the paragraph goes with the code it introduces
        else: kind = '-'
        if kind in ('slide', 'subslide'): used = 0
        if kind not in ('skip', 'notes'):
            used += size
            after_long = long
        types.append(kind)
    if types and types[0] != 'slide' and types[0] != 'skip': types[0] = 'slide'
    return types


def apply(path: Path) -> bool:
    "Write the marks into the notebook at `path`; True when it changed"
    text = path.read_text(encoding='utf-8')
    nb = json.loads(text)
    for cell, kind in zip(nb['cells'], mark(nb['cells'])):
        cell.setdefault('metadata', {})['slideshow'] = {'slide_type': kind}
    new = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n'  # nbdev_clean's layout
    if new == text: return False
    path.write_text(new, encoding='utf-8')
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', type=Path, help='default: nbs/0*.ipynb')
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 if a notebook would change')
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((REPO/'nbs').glob('0*.ipynb'))
    stale = []
    for path in paths:
        if args.check:
            nb = json.loads(path.read_text(encoding='utf-8'))
            want = mark(nb['cells'])
            have = [c.get('metadata', {}).get('slideshow', {}).get('slide_type') for c in nb['cells']]
            if want != have: stale.append(path)
        elif apply(path):
            print(f'marked {path}')
    if stale:
        print('slide marks out of date (run `python tools/slide_marks.py`):', *map(str, stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
