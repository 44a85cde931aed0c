"""The decks' sources, checked in the notebooks themselves (fast: no build, no browser).

Every course notebook is a deck (tools/build_slides.py) cut by each cell's `slideshow` metadata: the marks must
be the ones tools/slide_marks.py computes from the cells, and the deck must carry speaker notes (markdown cells
of slide type `notes`: what to say, what to run live, the checkpoint to expect) for its opening, and along the
way: a notes cell covers the section (`## ` heading) it is in, and may speak for the sections just before it,
but never more than MAX_BARE sections in a row go without. tests/check_docs_browser.py then checks, in the
built decks, that the notes reach reveal.js and its speaker view.
"""
import json
from pathlib import Path

import pytest

import slide_marks  # tools/, on the path through conftest

COURSE = sorted((Path(__file__).resolve().parent.parent/'nbs').glob('0*.ipynb'))
MAX_BARE = 3  # sections in a row without speaker notes of their own


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding='utf-8'))['cells']


def slide_type(cell: dict) -> str | None:
    return cell.get('metadata', {}).get('slideshow', {}).get('slide_type')


@pytest.mark.parametrize('path', COURSE, ids=lambda p: p.stem)
def test_slide_marks_are_up_to_date(path):
    found = [slide_type(c) for c in cells(path)]
    assert found == slide_marks.mark(cells(path)), f'run `python tools/slide_marks.py {path.relative_to(path.parents[1])}`'


@pytest.mark.parametrize('path', COURSE, ids=lambda p: p.stem)
def test_every_deck_has_speaker_notes_all_along(path):
    sections, current = {}, '(before the first section)'
    for cell in cells(path):
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown' and source.startswith('## '):
            current = source.splitlines()[0]
            sections[current] = []
        if slide_type(cell) == 'notes':
            assert cell['cell_type'] == 'markdown', f'{path.name}: speaker notes must be a markdown cell'
            sections.setdefault(current, []).append(source)
    assert sections.get('(before the first section)'), f'{path.name}: no speaker notes for the opening slides'
    bare, longest = [], []
    for heading, notes in sections.items():
        bare = [] if notes else bare + [heading]
        longest = max(longest, bare, key=len)
    assert len(longest) <= MAX_BARE, f'{path.name}: sections in a row without speaker notes: {longest}'
