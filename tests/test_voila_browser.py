"""The prediction pages for real, in Chromium (driven by Playwright): the Voila form (app/prediction_form.ipynb), the
JSON API's own page (gunicorn, as `make serve`) and the first app of 05a (`flask run`), all in one browser.

Needs Chromium, found as `make browser` finds it (tools/browser.py: $CHROMIUM, PATH, then Debian's path). Without it
the tests are skipped, and a skip fails the run unless you asked for skips with ALLOW_SKIP=1; under CI=true they
fail outright. The page must work on the first visit: there is no reload that would turn a flaky page into a pass.
"""
import os
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from regression_course import config  # noqa: F401
from regression_course.form_app import READY_ENV
from regression_course.prediction import for_people
from conftest import IN_CI, chromium, missing_browser, free_port, gunicorn_command, port_open, serving

REPO_ROOT = Path(__file__).resolve().parent.parent
README_SCREENSHOT = REPO_ROOT/'nbs'/'images'/'prediction_form.png'
FIRST_APP_SCREENSHOT = REPO_ROOT/'nbs'/'images'/'first_app.png'  # shown in 05a_http_and_flask


if (_problem := missing_browser()) and not IN_CI:
    pytest.skip(_problem, allow_module_level=True)  # said at once, before any fixture trains a model (and it fails the run unless ALLOW_SKIP=1)


@pytest.fixture(scope='module')
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope='module')
def voila(deployable_run, tmp_path_factory):
    "Voila serving the app as `make app` does: ready once its preheated kernel has built the form (kernels inherit the environment)"
    tmp, port = tmp_path_factory.mktemp('voila'), free_port()
    voila_bin = shutil.which('voila', path=str(Path(sys.executable).parent)) or 'voila'
    cmd = [voila_bin, 'app/prediction_form.ipynb', '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1']
    ready = tmp/'ready'
    with serving(cmd, tmp/'voila.log', is_ready=lambda: port_open(port) and ready.exists(), env={READY_ENV: str(ready)},
                 timeout=180):
        assert ready.read_text().startswith('model run '), ready.read_text()
        yield f'http://127.0.0.1:{port}/', tmp/'voila.log'


@pytest.fixture(scope='module')
def model(deployable_run):
    from regression_course.registry import load_model
    loaded = load_model()
    assert loaded.run_id == deployable_run.id
    return loaded


def prediction(model, x: float) -> float:
    return float(model.model.predict([[x]])[0])


def expected_text(model, x: float) -> str:
    "What the Voila page shows: the model's prediction, rounded for people (the API keeps every digit)"
    return for_people(prediction(model, x))


@pytest.fixture(scope='module')
def page(browser, voila):
    url, log = voila
    page = browser.new_page(viewport={'width': 900, 'height': 900})
    # Voila's page asks a CDN for an icon font: refuse at once, so the test is the same with or without internet
    page.route(re.compile(r'^https?://(?!127\.0\.0\.1[:/])'), lambda route: route.abort())
    try:  # one visit, no reload: a page that fails now and then must fail the test, not pass on a second try
        page.goto(url, timeout=60_000, wait_until='domcontentloaded')
        page.locator('.prediction-x input').wait_for(state='visible', timeout=60_000)
    except Exception as e:
        raise AssertionError(f'the form did not appear on the first visit ({e}).\nPage text: {page.inner_text("body")[-2000:]}\n'
                             f'Voila log: {log.read_text()[-3000:]}') from None
    yield page
    page.close()


def predict(page, x: str, submit='click'):
    "Type `x`, submit, wait until the shown prediction changes; return the text shown"
    before = page.locator('.prediction-y').inner_text()
    page.locator('.prediction-x input').fill(x)
    if submit == 'click': page.locator('.prediction-button').click()
    else: page.locator('.prediction-x input').press('Enter')
    page.wait_for_function('([sel, before]) => document.querySelector(sel).innerText !== before',
                           arg=['.prediction-y', before], timeout=30_000)
    return page.locator('.prediction-y').inner_text()


def test_page_shows_the_form_and_no_code(page, model):
    assert page.locator('.prediction-button').inner_text().strip() == 'Predict'
    assert model.run_id in page.locator('.prediction-model').inner_text()
    assert 'import prediction_app' not in page.content()  # strip_sources: no code sent to the visitor


def redrawn_plot(page, before, timeout=30.0):
    "The plot's image once it differs from `before` and has stayed the same for a second (the plot follows the text)"
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        src = page.locator('.prediction-plot img').get_attribute('src')
        if src != last: last, since = src, time.monotonic()
        elif src and src != before and time.monotonic() - since >= 1: return src
        page.wait_for_timeout(100)
    raise AssertionError(f'the plot was not redrawn within {timeout} s')


def test_typing_x_and_pressing_predict_shows_the_models_prediction(page, model, tmp_path):
    # each x draws a different plot, so each prediction's plot can be told from the one before it
    shown = page.locator('.prediction-plot img').get_attribute('src')
    assert predict(page, '1.5') == expected_text(model, 1.5)
    assert not page.locator('.prediction-warning').is_visible()
    shown = redrawn_plot(page, shown)
    assert predict(page, '-0.25', submit='enter') == expected_text(model, -0.25)
    assert not page.locator('.prediction-warning').is_visible()
    shown = redrawn_plot(page, shown)
    assert predict(page, '1.5') == expected_text(model, 1.5)
    redrawn_plot(page, shown)  # the plot of this prediction, before the screenshot
    page.wait_for_timeout(200)
    form = page.locator('.prediction-form')
    form.screenshot(path=tmp_path/'prediction_form.png')
    assert (tmp_path/'prediction_form.png').stat().st_size > 10_000
    if os.environ.get('UPDATE_SCREENSHOTS') or not README_SCREENSHOT.exists():  # the README's picture
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        form.screenshot(path=README_SCREENSHOT)


def test_far_out_x_shows_a_visible_warning(page, model, tmp_path):
    far = model.x_max + 50
    assert predict(page, repr(far)) == expected_text(model, far)
    warning = page.locator('.prediction-warning')
    warning.wait_for(state='visible', timeout=10_000)
    assert 'outside the training range' in warning.inner_text()
    page.screenshot(path=tmp_path/'warning.png', full_page=True)


def test_text_that_is_not_a_number_gets_a_message(page):
    page.locator('.prediction-x input').fill('twelve')
    page.locator('.prediction-button').click()
    error = page.locator('.prediction-error')
    error.wait_for(state='visible', timeout=10_000)
    assert 'is not a number' in error.inner_text()
    assert page.locator('.prediction-y').inner_text() == ''


# --- the JSON API's own page (GET /), served by gunicorn as `make serve` does -------------------------------
@pytest.fixture(scope='module')
def api(deployable_run, tmp_path_factory):
    port, tmp = free_port(), tmp_path_factory.mktemp('api')
    health = f'http://127.0.0.1:{port}/health'
    cmd = gunicorn_command(port, f"log_path={str(tmp/'predictions.jsonl')!r}")
    with serving(cmd, tmp/'gunicorn.log', is_ready=lambda: urllib.request.urlopen(health, timeout=1).status == 200):
        yield f'http://127.0.0.1:{port}/'


def test_the_api_page_works_offline_and_shows_prediction_and_warning(browser, api, model):
    page = browser.new_page()
    outside = []
    page.on('request', lambda r: outside.append(r.url) if not r.url.startswith(api) else None)
    page.goto(api)
    page.wait_for_function('() => document.getElementById("model").textContent.includes("run ")')
    for x, warned in (('1.5', False), (repr(model.x_max + 50), True)):
        page.fill('#x', x)
        page.press('#x', 'Enter')
        shown = f'y = {expected_text(model, float(x))}'  # rounded for a person, as 05b's for_people does
        page.wait_for_function('s => document.getElementById("prediction").textContent === s', arg=shown, timeout=10_000)
        assert page.locator('.warning').count() == warned
    page.fill('#x', 'abc')
    page.click('#predict')
    page.locator('.error').wait_for(timeout=10_000)
    assert 'x is the string "abc"' in page.locator('.error').inner_text()
    assert outside == []  # nothing loaded from anywhere else: the page works offline
    page.close()


# --- the first app of 05a_http_and_flask, started as the notebook starts it: `flask run` ----------------------
@pytest.fixture(scope='module')
def first_app(deployable_run, tmp_path_factory):
    "The lecture-sized app under Flask's development server, on a free port; its URL"
    port, tmp = free_port(), tmp_path_factory.mktemp('first_app')
    flask = shutil.which('flask', path=str(Path(sys.executable).parent)) or 'flask'
    cmd = [flask, '--app', 'regression_course.first_app', 'run', '--port', str(port)]
    with serving(cmd, tmp/'flask.log', is_ready=lambda: port_open(port)):  # it binds once the model is loaded
        yield f'http://127.0.0.1:{port}/'


def test_the_first_app_predicts_in_a_browser_offline(browser, first_app, model):
    "Type 10, press Predict: the round trip of 05a (GET the page, POST the x), nothing fetched from elsewhere"
    page = browser.new_page(viewport={'width': 520, 'height': 170})
    outside = []
    page.on('request', lambda r: outside.append(r.url) if not r.url.startswith(first_app) else None)
    page.goto(first_app)
    assert page.locator('h1').inner_text() == 'SampleRegressionFlow'
    page.fill('#x', '10')
    page.click('#predict')
    shown = f'Predicted y is {expected_text(model, 10.0)}'  # the newest deployable model, rounded for a person
    page.wait_for_function('s => document.getElementById("result").textContent === s', arg=shown, timeout=30_000)
    assert outside == []
    if os.environ.get('UPDATE_SCREENSHOTS') or not FIRST_APP_SCREENSHOT.exists():  # 05a's picture
        page.screenshot(path=FIRST_APP_SCREENSHOT)
    page.close()
