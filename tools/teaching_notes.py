"""What the teaching plan (nbs/teaching_plan.md, written by `make plan`) cannot read from the notebooks: the
instructors' judgement. Edit this file, then run `make plan`.

- LECTURE: the lecture's slides (NYU FRE 7773, weeks 8 and 13), by the titles they carry in the decks.
- NOTEBOOKS: per course notebook (by file name, without .ipynb): the slides it covers, what to run live, what to
  show from the executed page (the course site), and the appendix notebooks that go with it.
- SCHEDULES: two ways through the course, session by session; each notebook is `live` (run top to bottom in
  class), `part` (run its live part, show the rest), `show` (from the executed page) or `reading` (outside class).

What the plan READS instead of being told: the notebooks' titles, descriptions and section headings, their
exercises, and the minutes each one takes to run (benchmarks/bench_notebooks.py). A notebook this file does not
know yet still appears on the plan, under "Needs attention", as does an entry naming a notebook that is gone.
"""

LECTURE = {  # slide id: (week, a short name, the slide's title)
    'w8.mlsys': (8, 'Data work', 'MLSys: use cases (everyone wants to do the model work, not the data work)'),
    'w8.phases': (8, 'Three phases', 'Three major phases of ML projects: data, training, inference'),
    'w8.fre-phases': (8, 'Laptop and cloud', 'Three phases at FRE 7773: your laptop, and the cloud'),
    'w8.finance': (8, 'A finance example', 'MLSys: a finance example'),
    'w8.need-ml': (8, 'Do I need ML?', 'Do I really need ML?'),
    'w8.jungle': (8, 'Welcome to the jungle', "Welcome to the jungle: if your work needs to have an impact, it runs outside your laptop"),
    'w8.school': (8, 'School vs real world', 'School vs real world'),
    'w8.dag': (8, 'Everything is a DAG', 'Everything is a DAG'),
    'w8.metaflow-intro': (8, 'Metaflow: DAG to code', 'A gentle introduction to Metaflow: from DAG to code'),
    'w8.virtualenv': (8, 'virtualenv', 'Part 0: virtualenv'),
    'w8.monolith': (8, 'The monolith', 'Part 1, iteration #1: the monolith'),
    'w8.composable': (8, 'Breaking down the monolith', 'Iteration #2: breaking down the monolith'),
    'w8.metaflow': (8, 'Iteration #3: Metaflow', 'Iteration #3: Metaflow'),
    'w8.lexicon': (8, 'A shared lexicon', 'Metaflow as a shared lexicon: flow, step, run, task, artifact, Client API'),
    'w8.classes': (8, 'Flows as Python classes', 'Metaflow projects as (special) Python classes, I and II'),
    'w8.components': (8, 'Metaflow components', 'Metaflow components: the DAG, the metastore, the computational layer'),
    'w8.p1-dag': (8, 'Principle #1: a DAG', 'Metaflow in 4 principles, #1: ML projects are a DAG'),
    'w8.train-serve': (8, 'Training and serving phases', 'Bonus point: a training phase that produces a model artifact, and a serving phase'),
    'w8.p2-state': (8, 'Principle #2: data and states', '#2: data and states are part of ML pipelines (versioned, replayable, inspected)'),
    'w8.p3-compute': (8, 'Principle #3: computing size', '#3: one computing size does not fit all'),
    'w8.p4-team': (8, 'Principle #4: a team', "#4: everything is cool when you're part of a team"),
    'w13.jungle': (13, 'Welcome to the jungle', 'Welcome to the jungle: predictions consumed by others'),
    'w13.client-server': (13, 'Client and server', 'Part 3: serving predictions, client and server'),
    'w13.flask': (13, 'Intro to Flask', 'Intro to Flask applications'),
    'w13.step1': (13, 'Step 1: a web page', 'Step 1: prepare a web page'),
    'w13.step2': (13, 'Step 2: the Flask back-end', 'Step 2: prepare the Flask back-end application'),
    'w13.step3': (13, 'Step 3: the model in memory', 'Step 3: load the ML model in memory'),
    'w13.step4': (13, 'Step 4: the endpoint', 'Step 4: defining our endpoint'),
    'w13.workflow': (13, 'The full workflow', 'The full workflow: a user browses, asks, gets a prediction'),
    'w13.response': (13, 'Structuring the response', 'Bonus: structuring the response'),
    'w13.scenarios': (13, 'Model in or beside the endpoint', 'Scenario 1 and 2: the model inside the endpoint, or in a box of its own'),
    'w13.cloud': (13, 'Flask in the cloud', 'Flask in the cloud; alternative deployment scenarios'),
    'w13.monitoring': (13, 'Monitoring', 'After deployment: monitoring'),
    'w13.adventure': (13, 'The adventure never stops', 'The adventure never stops: end-to-end projects'),
}

NOTEBOOKS = {
    '00_course': dict(
        slides=['w8.jungle', 'w8.need-ml', 'w8.phases', 'w8.fre-phases', 'w8.finance', 'w8.school',
                'w8.virtualenv'],
        live='`make install` in a terminal, then the environment and checkpoint cells',
        show='the three phases and the notebook-by-notebook table',
        appendix=['98_exercises', '99_config', '99c_pictures'],
    ),
    '00_data': dict(
        slides=['w8.mlsys'],
        live='read a file with a bad line, and see the line named in the error',
        show='the plots of the data',
        appendix=['90_fast_reader'],
    ),
    '01_monolith': dict(
        slides=['w8.monolith'],
        live='the whole notebook: the monolith runs in seconds',
        show='the pros and cons table',
        appendix=[],
    ),
    '02_composable': dict(
        slides=['w8.composable'],
        live='each step function and its check; the composable script gives the monolith\'s numbers',
        show='"what we gained, and what is still missing"',
        appendix=[],
    ),
    '03_dags': dict(
        slides=['w8.dag', 'w8.metaflow-intro', 'w8.lexicon'],
        live='the branch-and-join flow, run from a terminal, and its log read aloud',
        show='the drawing of the graph',
        appendix=['91_flow_anywhere'],
    ),
    '04a_flow': dict(
        slides=['w8.metaflow', 'w8.classes', 'w8.p2-state'],
        live='`make train` in a terminal while you walk through the flow\'s class; then read the artifacts back',
        show='"what Metaflow gives, and what it costs"',
        appendix=['91_flow_anywhere', '99_config'],
    ),
    '04b_candidates': dict(
        slides=['w8.p1-dag', 'w8.classes'],
        live='`python flows/candidates_flow.py run --candidates linear,ridge:100` in a terminal: the `foreach` '
             'fan-out in the log (two `train` tasks start together), then `chosen: linear`',
        show='the chain of subclasses and where each step comes from; cross-validation on the training rows only',
        appendix=['99_config'],
    ),
    '04c_quality_gate': dict(
        slides=['w8.train-serve', 'w8.p2-state'],
        live='`python flows/gated_flow.py run` on a file where y ignores x: `quality gate FAILED`, then `Done!`; '
             'open its card with `card view`',
        show='the gate\'s card (the verdict, the scores beside the baseline\'s, predicted against actual)',
        appendix=['92_card_contents', '91_flow_anywhere'],
    ),
    '04d_champion': dict(
        slides=['w8.train-serve', 'w8.p3-compute'],
        live='a run on 100 new rows that passes the gate and is NOT promoted; the corrupted file stopped at '
             '`read_data`; the `resume` demo (six cloned tasks)',
        show='the course\'s run and its card, the fan-out that is too wide, scaling out',
        appendix=['91_flow_anywhere', '99_config'],
    ),
    '09_off_the_laptop': dict(
        slides=['w8.fre-phases', 'w8.components', 'w8.p3-compute'],
        live='`make s3` in one terminal, the flow run on the S3 profile in another, read back from the store',
        show='the Argo template (pods sized per step), and a store that is down',
        appendix=['91b_remote_store', '91_flow_anywhere'],
    ),
    '05_client_api': dict(
        slides=['w8.lexicon', 'w8.p2-state', 'w8.p4-team'],
        live='Flow, Run, Step, Task and artifacts read from the course run; namespaces and tags',
        show='rolling back',
        appendix=['99_config', '99b_classroom'],
    ),
    '05b_prediction': dict(
        slides=['w13.response'],
        live='the whole notebook: reading a request, a warning outside the training range, rounding',
        show='nothing: it is short',
        appendix=['94_fast_predict', '96_hostile_requests'],
    ),
    '05a_http_and_flask': dict(
        slides=['w13.jungle', 'w13.client-server', 'w13.flask', 'w13.step1', 'w13.step2', 'w13.step3',
                'w13.step4', 'w13.workflow'],
        live='the four steps, then `flask --app regression_course.first_app run` in a terminal and `curl` in '
             'another; the page in a browser (type 10, press Predict)',
        show='a request and its answer as text, the round trip, what the first app cannot do yet',
        appendix=['99_config'],
    ),
    '06_serving': dict(
        slides=['w13.response', 'w13.scenarios', 'w13.cloud'],
        live='`make serve` in one terminal, `curl` in another: a prediction, a bad request (a `400` that says '
             'what to send), `/health`',
        show='the log read back as a table, what the factory plugs in (the map of the appendix), the two designs',
        appendix=['93_model_source', '95_prediction_log', '95b_feedback', '96_hostile_requests', '96b_slow_clients'],
    ),
    '07_prediction_form': dict(
        slides=['w13.step1', 'w13.workflow'],
        live='`make app`: type an x in the browser and press Predict',
        show='testing the form from Python; serving it with Voila',
        appendix=['97_form_app', '97b_page_views'],
    ),
    '08_monitoring': dict(
        slides=['w13.monitoring', 'w13.adventure'],
        live='the drift report on the day that drifted',
        show='the simulated users, retraining and the live promotion',
        appendix=['98a_monitoring_lab', '99c_pictures'],
    ),
}

SCHEDULES = [
    dict(
        name='A 2 x 75-minute block',
        about='The lecture-sized path, for a course that gives this material two sessions: the stages run live, '
              'the engineering is shown. Assign the data notebook and the prediction logic as reading, and the '
              'exercises as homework.',
        sessions=[
            dict(title='Organising ML projects (week 8)', minutes=75, items=[
                ('00_course', 'part'), ('00_data', 'reading'), ('01_monolith', 'live'), ('02_composable', 'live'),
                ('03_dags', 'live'), ('04a_flow', 'part'), ('04b_candidates', 'show'), ('04c_quality_gate', 'show'),
                ('04d_champion', 'show'),
            ]),
            dict(title='Serving predictions (week 13)', minutes=75, items=[
                ('05_client_api', 'part'), ('05a_http_and_flask', 'part'), ('05b_prediction', 'reading'),
                ('06_serving', 'part'),
                ('07_prediction_form', 'part'), ('08_monitoring', 'show'), ('09_off_the_laptop', 'reading'),
            ]),
        ],
    ),
    dict(
        name='A 6-session module',
        about='One stage a session, every notebook run in class or in a lab, the exercises started in class. '
              'Hand the capstone out in session 4; students present it in session 6.',
        sessions=[
            dict(title='Why, and the data', minutes=90, items=[
                ('00_course', 'live'), ('00_data', 'live'), ('01_monolith', 'live'),
            ]),
            dict(title='From a script to functions to a DAG', minutes=90, items=[
                ('02_composable', 'live'), ('03_dags', 'live'),
            ]),
            dict(title='The flow', minutes=90, items=[
                ('04a_flow', 'part'), ('04b_candidates', 'live'), ('04c_quality_gate', 'live'),
                ('04d_champion', 'live'),
            ]),
            dict(title='Runs, models and the registry; off the laptop; the capstone handed out', minutes=90,
                 items=[('05_client_api', 'part'), ('05b_prediction', 'live'), ('09_off_the_laptop', 'part'),
            ]),
            dict(title='Serving: HTTP, an endpoint and a page', minutes=90, items=[
                ('05a_http_and_flask', 'part'), ('06_serving', 'live'), ('07_prediction_form', 'live'),
            ]),
            dict(title='After deployment; capstone presentations', minutes=90, items=[
                ('08_monitoring', 'part'),
            ]),
        ],
    ),
]

PREREQUISITES = [
    '**Python**: functions, classes, imports, running a script (`python file.py`)',
    '**NumPy and pandas basics**: arrays, shapes, a DataFrame, reading a file',
    '**A terminal**: moving between folders, running a command and reading what it prints',
    '**git**: clone a repository, commit your changes',
]

LIVE_LIMIT_MINUTES = 3  # a notebook that runs longer than this is shown from its executed page, not run in class
