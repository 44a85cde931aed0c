"""`make plan`: write the teaching plan, nbs/teaching_plan.md (a page of the course site, linked from the README).

    python tools/teaching_plan.py            # write it
    python tools/teaching_plan.py --check    # fail if it is not what this would write (and write it)

The plan is generated, so that it stays true while the notebooks change. It READS:
- the course notebooks, found (nbs/0*.ipynb, in file order): their titles, descriptions, section headings and
  exercises; and the appendix notebooks (nbs/9*.ipynb) that exist;
- the minutes each notebook takes to run top to bottom, measured by benchmarks/bench_notebooks.py and kept in
  benchmarks/notebook_times.json with the hash of the notebook measured. A figure whose notebook has changed since
  is STALE: the page says so, and says which command measures it again. Nobody types a figure;
- the instructors' judgement, in tools/teaching_notes.py: the lecture slides each notebook covers, what to run
  live and what to show, its appendix notebooks, and the schedules.

Whatever does not fit (a stale or missing figure, a notebook without notes, a note about a notebook that is gone, a
slide no notebook covers, an appendix notebook no lesson names, a notebook with fewer than two exercises, a
notebook scheduled live that runs too long) is listed on the page under "Needs
attention" and printed here. `make test` runs `--check`: the committed page must be what this writes, so it never
hides any of that; a stale figure alone does not fail it (re-measuring takes minutes on a quiet machine).
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
PAGE = NBS/'teaching_plan.md'
sys.path.insert(0, str(ROOT/'tools'))
sys.path.insert(0, str(ROOT/'benchmarks'))
import bench_notebooks  # noqa: E402  (benchmarks/bench_notebooks.py: the figures and their hashes)
import teaching_notes as notes  # noqa: E402

MEASURE = 'make measure'  # benchmarks/bench_notebooks.py
MIN_EXERCISES = 2  # the course's rule: every course notebook ends with at least two checked exercises
MODES = {'live': 'run live', 'part': 'run the live part, show the rest', 'show': 'show the executed page',
         'reading': 'reading, outside class'}


def notebook_outline(path: Path) -> dict:
    "A notebook's title, description, `##` headings and exercise ids (answer cells, and checks of flow files)"
    cells = json.loads(path.read_text())['cells']
    markdown = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
    first = markdown[0].splitlines() if markdown else []
    title = next((line[2:].strip() for line in first if line.startswith('# ')), path.stem)
    description = next((line[1:].strip() for line in first if line.startswith('>')), '')
    headings = [line[3:].strip() for text in markdown for line in text.splitlines() if line.startswith('## ')]
    code = [''.join(c['source']) for c in cells if c['cell_type'] == 'code']
    found = [re.match(r'# exercise ([a-z]\w*\.\d+)', s) for s in code]  # an answer cell
    found += [re.search(r"check_exercise\('([a-z]\w*\.\d+)'\)", s) for s in code]  # a file's check
    exercises = list(dict.fromkeys(m.group(1) for m in found if m))
    return dict(stem=path.stem, title=title, description=description, headings=headings, exercises=exercises)


def figure(stem: str, times: dict, path: Path) -> dict:
    "The measured figure of a notebook, with `state`: 'ok', 'stale' (measured on another version) or 'missing'"
    found = times.get(stem)
    if not found: return dict(state='missing')
    state = 'ok' if found.get('sha256') == bench_notebooks.notebook_hash(path) else 'stale'
    return dict(found, state=state, busy=bench_notebooks.busy(found), minutes=found['wall_s'] / 60)


def minutes_text(fig: dict) -> str:
    if fig['state'] == 'missing': return 'not measured yet'
    text = f"{fig['minutes']:.1f} min ({fig['cpu_s']:.0f} processor-s)"
    if fig['state'] == 'stale': text += ', STALE: the notebook changed since'
    if fig['busy']: text += f', on a busy machine ({busy_text(fig)})'
    return text


def run_text(fig: dict) -> str:
    "Which measurement a figure comes from: its date and the commit it was measured at"
    if fig['state'] == 'missing': return ''
    return f"measured {fig.get('measured', '?')} at commit {fig.get('commit', '?')}"


def busy_text(fig: dict) -> str:
    "How busy the machine was while a figure was measured"
    if fig.get('others_share') is not None:
        return f"other work took {fig['others_share']:.0%} of its {fig['cores']} cores"
    return f"load {fig['load_before']:g}-{fig['load_after']:g} on {fig['cores']} cores"


def link(stem: str) -> str:
    return f'[{stem}]({stem}.ipynb)'


def plan(course=None, appendix=None, times=None) -> tuple[str, list[str]]:
    "The page's markdown, and what needs attention"
    course = sorted(NBS.glob('0*.ipynb')) if course is None else course
    appendix = {p.stem for p in NBS.glob('9*.ipynb')} if appendix is None else appendix
    times = bench_notebooks.read_times() if times is None else times
    outlines = {p.stem: notebook_outline(p) for p in course}
    figures = {p.stem: figure(p.stem, times, p) for p in course}
    attention = []
    for stem, fig in figures.items():
        if fig['state'] != 'ok':
            attention.append(f"{stem}: its figure is {fig['state']}: measure it with `{MEASURE} ONLY={stem}`")
        elif fig['busy']:
            attention.append(f'{stem}: measured on a busy machine ({busy_text(fig)}): measure it again on a quiet '
                             f'one (`{MEASURE} ONLY={stem}`)')
    attention += [f'{stem}: no notes in tools/teaching_notes.py (slides, live, show, appendix) and no place in '
                  'the schedules yet' for stem in outlines if stem not in notes.NOTEBOOKS]
    attention += [f'tools/teaching_notes.py has notes on {stem}, which is not a course notebook (renamed?)'
                  for stem in notes.NOTEBOOKS if stem not in outlines]
    for stem, note in notes.NOTEBOOKS.items():
        attention += [f'{stem}: no slide {s!r} in LECTURE' for s in note['slides'] if s not in notes.LECTURE]
        attention += [f'{stem}: no appendix notebook {a}' for a in note['appendix'] if a not in appendix]
    attention += [f"{stem}: {len(o['exercises'])} exercise(s); every course notebook ends with at least two"
                  for stem, o in outlines.items() if len(o['exercises']) < MIN_EXERCISES]
    placed = {a for note in notes.NOTEBOOKS.values() for a in note['appendix']}
    attention += [f'appendix notebook {a} goes with no lesson in tools/teaching_notes.py'
                  for a in sorted(appendix) if a not in placed]
    covered = {s for note in notes.NOTEBOOKS.values() for s in note['slides']}
    attention += [f'slide {notes.LECTURE[s][2]!r} (week {notes.LECTURE[s][0]}) is covered by no notebook'
                  for s in notes.LECTURE if s not in covered]
    out = [
        '# Teaching plan',
        '',
        '*For instructors: what each notebook covers of the lecture, how long it takes to run, what to run in class '
        'and what to show, and two ways to schedule the course.*',
        '',
        '<!-- Generated by `make plan` (tools/teaching_plan.py) from the notebooks, benchmarks/notebook_times.json '
        'and tools/teaching_notes.py: edit those, not this page. -->',
        '',
        'The slides are those of NYU FRE 7773, *Machine Learning in Financial Engineering* (Jacopo Tagliabue): '
        'week 8, *How to organize ML projects*, and week 13, *Serving predictions*. The minutes are **measured**, '
        f'never typed: `{MEASURE}` (benchmarks/bench_notebooks.py) runs each notebook top to bottom on its own, as `make test` does, in a '
        'datastore that already holds the course run (as after `make app`), and keeps the wall-clock time, the '
        'processor time and the notebook\'s hash; a figure whose notebook has changed since is marked stale. '
        f'A notebook that runs in under {notes.LIVE_LIMIT_MINUTES} minutes can run live in class; a longer one is '
        'better shown from its executed page on the course site (`make docs`), with only its live part run.',
        '',
        '## Prerequisites',
        '',
        *[f'- {p}' for p in notes.PREREQUISITES],
        '',
        'and a computer that runs the course (Python 3.10 or newer, `make`, `git`; Linux, macOS, or Windows '
        'through WSL 2: see the README). Nothing about Metaflow, Flask or web servers is assumed.',
        '',
        '## Notebook by notebook',
        '',
        '| notebook | lecture slides | runs in | exercises |',
        '|---|---|---|---|',
    ]
    for stem, o in outlines.items():
        slides = ', '.join(f"w{notes.LECTURE[s][0]}: {notes.LECTURE[s][1]}"
                           for s in notes.NOTEBOOKS.get(stem, {}).get('slides', []) if s in notes.LECTURE)
        out.append(f"| {link(stem)} | {slides or '-'} | {minutes_text(figures[stem])} | {len(o['exercises'])} |")
    for stem, o in outlines.items():
        note, fig = notes.NOTEBOOKS.get(stem), figures[stem]
        out += ['', f"### {stem}: {o['title']}", '']
        if o['description']: out += [f"*{o['description']}*", '']
        out.append(f"- **Sections:** {'; '.join(o['headings']) or '-'}")
        out.append(f'- **Runs in:** {minutes_text(fig)}' + (f'; {run_text(fig)}' if run_text(fig) else ''))
        if note is None:
            out.append('- **Not planned yet:** no notes in tools/teaching_notes.py')
            continue
        out.append('- **Lecture slides:** ' + ('; '.join(f'week {notes.LECTURE[s][0]}, "{notes.LECTURE[s][2]}"'
                                                        for s in note['slides'] if s in notes.LECTURE) or '-'))
        short = fig['state'] != 'missing' and fig['minutes'] < notes.LIVE_LIMIT_MINUTES
        out.append('- **Run live:** ' + ('all of it, top to bottom; above all, ' if short else '') + note['live'])
        out.append(f"- **Show from the executed page:** {note['show']}")
        out.append('- **Appendix:** ' + (', '.join(link(a) for a in note['appendix'] if a in appendix) or '-'))
        out.append(f"- **Exercises:** {', '.join(o['exercises']) or '-'} (`make exercises`)")
    out += ['', '## Two schedules']
    for schedule in notes.SCHEDULES:
        out += ['', f"### {schedule['name']}", '', schedule['about'], '',
                '| session | notebooks | running live |', '|---|---|---|']
        for number, session in enumerate(schedule['sessions'], start=1):
            parts, live, unknown = [], 0.0, []
            for stem, mode in session['items']:
                if mode not in MODES: attention.append(f"{schedule['name']}: unknown mode {mode!r} for {stem}")
                if stem not in outlines:
                    attention.append(f"{schedule['name']}, session {number}: {stem} is not a course notebook (renamed?)")
                    continue
                parts.append(f'{link(stem)} ({MODES.get(mode, mode)})')
                fig = figures[stem]
                if mode == 'live' and fig['state'] != 'missing':
                    live += fig['minutes']
                    if fig['minutes'] >= notes.LIVE_LIMIT_MINUTES:
                        attention.append(f"{schedule['name']}, session {number}: {stem} runs for "
                                         f"{fig['minutes']:.1f} min, too long to run live: make it `part` or `show`")
                if mode == 'live' and fig['state'] == 'missing': unknown.append(stem)
            parts_run = sum(mode == 'part' for stem, mode in session['items'] if stem in outlines)
            running = f'{live:.1f} of {session["minutes"]} min' + (f' (and {", ".join(unknown)}, not measured)'
                                                                    if unknown else '')
            running += (f", and the live part{'s' if parts_run > 1 else ''} of {parts_run} "
                        f"notebook{'s' if parts_run > 1 else ''}") if parts_run else ''
            out.append(f"| {number}. {session['title']} | {'; '.join(parts)} | {running} |")
    scheduled = {stem for schedule in notes.SCHEDULES for s in schedule['sessions'] for stem, _ in s['items']}
    attention += [f'{stem} is in no schedule' for stem in outlines if stem in notes.NOTEBOOKS and stem not in scheduled]
    out += ['', '"Running live" adds up the measured minutes of the notebooks run live top to bottom (a live part '
            'is a cell or a terminal command, named above): the rest of the session is yours, to explain, ask and '
            'answer.', '',
            '## The capstone', '',
            'In the spirit of the lecture\'s homework, on the course\'s own system: four trading desks whose P&L '
            'follows the market each in its own way, a flow step that tests the model desk by desk, a custom card, '
            'and an endpoint on the newest deployable run. The brief is `capstone/README.md`; `make capstone-check` '
            'checks what a check can judge (a broken desk planted in the data must be caught), and the rubric in '
            'the brief covers the rest. Hand it out after the flow (the 6-session module: session 4).', '',
            '## Needs attention', '']
    out += [f'- {a}' for a in attention] or ['Nothing: every figure is measured on the notebook as it is, and '
                                            'every notebook is planned.']
    return '\n'.join(out) + '\n', attention


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text, attention = plan()
    old = PAGE.read_text() if PAGE.exists() else None
    if old != text: PAGE.write_text(text)
    if '--check' not in argv:
        for item in attention: print(f'needs attention: {item}')
    else:
        if old != text:
            print(f"FAIL: {PAGE.relative_to(ROOT)} was not what `make plan` writes from the notebooks, the figures "
                  "and tools/teaching_notes.py; it is now: review 'git diff' and commit.", file=sys.stderr)
            return 1
        print(f'ok: {PAGE.relative_to(ROOT)} is up to date' + (f' ({len(attention)} items need attention: '
                                                              '`make plan` lists them)' if attention else ''))
        return 0
    print(f'wrote {PAGE.relative_to(ROOT)}' if old != text else f'{PAGE.relative_to(ROOT)} was already up to date')
    return 0


if __name__ == '__main__':
    sys.exit(main())
