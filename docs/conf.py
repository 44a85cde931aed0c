"""Sphinx configuration of the course site. Built by tools/build_docs.py (`make docs`), not by sphinx-build alone:
the script executes the notebooks and writes the source folder (_proc/site/) this configuration renders.

Offline by design: no page loads anything from another host (no CDN scripts, fonts, MathJax or widget JS).
"""
import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_ini = configparser.ConfigParser()
_ini.read(REPO/'settings.ini')
_cfg = _ini['DEFAULT']

project = 'regression_course'
author = _cfg.get('author', 'regression_course contributors')
copyright = '2026 onwards, ' + author
html_title = 'regression_course: ML that runs outside your laptop'

extensions = ['myst_nb']
exclude_patterns = ['_build', '_static', '**.ipynb_checkpoints', 'Thumbs.db', '.DS_Store']
templates_path = []
html_static_path = [str(REPO/'docs'/'_static'), str(REPO/'_proc'/'site'/'_static')]  # the second: MathJax, copied from node_modules by the build
html_css_files = ['course.css']

# myst-nb: outputs come from tools/build_docs.py's own execution run, never from here
nb_execution_mode = 'off'
nb_ipywidgets_js = {}                 # no require.js, no widget manager from a CDN (the form is a picture)
nb_render_markdown_format = 'myst'   # markdown outputs (the form's still picture) as MyST
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'colon_fence', 'html_image', 'deflist']
myst_heading_anchors = 3
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

# MathJax from npm (node_modules/mathjax, copied into _static/mathjax by the build), not from a CDN
mathjax_path = 'mathjax/tex-chtml.js'

html_theme = 'sphinx_book_theme'
html_theme_options = {
    'show_toc_level': 2,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'use_repository_button': False,
    'use_source_button': False,
    'use_issues_button': False,
    'use_edit_page_button': False,
    'home_page_in_toc': True,
    'navigation_with_keys': False,
    'search_bar_text': 'Search the course...',
}
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_context = {'default_mode': 'light'}
html_favicon = str(REPO/'docs'/'_static'/'favicon.svg')
