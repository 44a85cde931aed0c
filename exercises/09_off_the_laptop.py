"""Checks for the exercises of 09_off_the_laptop."""
import json

from regression_course.exercises import exercise


def _int(value):
    "A setting's value as Metaflow reads it (a profile may hold 1 or '1')"
    return int(value)


@exercise('remote.1', '09_off_the_laptop', 'a profile for another store', needs='profile_for')
def _profile(profile_for):
    endpoint, bucket = 'http://127.0.0.1:9100', 'fre7773'
    settings = profile_for(endpoint, bucket)
    if not isinstance(settings, dict): return f'return a dict of settings, not a {type(settings).__name__}'
    if unprefixed := [k for k in settings if not str(k).startswith('METAFLOW_')]:
        return f'Metaflow reads only names that start with METAFLOW_ from a profile: {unprefixed} would be ignored'
    if settings.get('METAFLOW_DEFAULT_DATASTORE') != 's3':
        return 'the artifacts would stay on the local disk: METAFLOW_DEFAULT_DATASTORE must be s3'
    root = str(settings.get('METAFLOW_DATASTORE_SYSROOT_S3', ''))
    if root.rstrip('/') != f's3://{bucket}/metaflow':
        return f'METAFLOW_DATASTORE_SYSROOT_S3 should be the folder metaflow of the bucket, s3://{bucket}/metaflow, not {root!r}'
    if settings.get('METAFLOW_S3_ENDPOINT_URL') != endpoint:
        return 'without METAFLOW_S3_ENDPOINT_URL set to the endpoint, every request goes to Amazon (and waits)'
    for name in ('METAFLOW_S3_RETRY_COUNT', 'METAFLOW_S3_TRANSIENT_RETRY_COUNT'):
        if name not in settings: return f'set {name}: Metaflow\'s default retries a store that is down for over an hour'
        try: retries = _int(settings[name])
        except (TypeError, ValueError): return f'{name} should be a whole number, not {settings[name]!r}'
        if not 0 <= retries <= 2: return f'{name} is {retries}: at most 2, so a store that is down fails fast'
    client = settings.get('METAFLOW_S3_CLIENT_RETRY_CONFIG')
    if client is None: return 'set METAFLOW_S3_CLIENT_RETRY_CONFIG: boto3 tries each request 10 times by default'
    if isinstance(client, str):
        try: client = json.loads(client)
        except ValueError: return 'METAFLOW_S3_CLIENT_RETRY_CONFIG should be a dict (or its JSON), like {"max_attempts": 3}'
    if not isinstance(client, dict) or not 1 <= int(client.get('max_attempts', 10)) <= 5:
        return 'METAFLOW_S3_CLIENT_RETRY_CONFIG should say {"max_attempts": n} with n at most 5'
    other = profile_for('http://127.0.0.1:9797', 'course')
    if other.get('METAFLOW_S3_ENDPOINT_URL') != 'http://127.0.0.1:9797' or 's3://course/' not in str(other.get('METAFLOW_DATASTORE_SYSROOT_S3')):
        return 'another endpoint and bucket should give another profile: use the arguments, not fixed values'
    return None


def _rows(train_cpu='2.0'):
    "Rows like pod_table's for the course flow"
    steps = ['start', 'read-data', 'validate-data', 'split', 'train', 'choose-model', 'test-model', 'end']
    return [dict(step=s, pods='one per item' if s == 'train' else '1', cpu=train_cpu if s == 'train' else '1',
                 memory='2048.0M' if s == 'train' else '1024M') for s in steps]


@exercise('remote.2', '09_off_the_laptop', 'what a run asks of the cluster', needs='cpu_requested')
def _cpu(cpu_requested):
    answer = cpu_requested(_rows(), 4)
    try: answer = float(answer)
    except (TypeError, ValueError): return f'return a number of CPUs, not {answer!r}'
    if answer == 9: return 'the 4 train pods each ask for 2 CPUs: count a foreach step once per item'
    if answer == 11: return 'that counts pods; add up the CPU each pod asks for'
    if answer == 36: return 'only the foreach step runs once per item; the others run once'
    if answer != 15: return f'for the course flow with 4 candidates: 7 steps of 1 CPU and 4 train pods of 2 make 15, not {answer:g}'
    if float(cpu_requested(_rows(), 8)) != 23: return 'with 8 candidates, 8 train pods: use `candidates`, not a fixed 4'
    if float(cpu_requested(_rows('0.5'), 3)) != 8.5: return 'a step may ask for half a CPU (\'0.5\'): read cpu as a number'
    if float(cpu_requested(_rows()[:3], 4)) != 3: return 'a flow without a foreach: each step once'
    return None


WRONG_ANSWERS = {
    'remote.1': [
        '''def profile_for(endpoint, bucket):
    return {'METAFLOW_DEFAULT_DATASTORE': 's3', 'METAFLOW_DATASTORE_SYSROOT_S3': f's3://{bucket}/metaflow'}''',
        '''def profile_for(endpoint, bucket):
    return {'METAFLOW_DEFAULT_DATASTORE': 's3', 'METAFLOW_DATASTORE_SYSROOT_S3': f'{bucket}/metaflow',
            'METAFLOW_S3_ENDPOINT_URL': endpoint, 'METAFLOW_S3_RETRY_COUNT': 1, 'METAFLOW_S3_TRANSIENT_RETRY_COUNT': 1,
            'METAFLOW_S3_CLIENT_RETRY_CONFIG': {'max_attempts': 3}}''',
        '''def profile_for(endpoint, bucket):
    return {'METAFLOW_DEFAULT_DATASTORE': 's3', 'METAFLOW_DATASTORE_SYSROOT_S3': f's3://{bucket}/metaflow',
            'METAFLOW_S3_ENDPOINT_URL': endpoint, 'METAFLOW_S3_RETRY_COUNT': 7, 'METAFLOW_S3_TRANSIENT_RETRY_COUNT': 20}''',
        '''def profile_for(endpoint, bucket):
    return {'DEFAULT_DATASTORE': 's3', 'DATASTORE_SYSROOT_S3': f's3://{bucket}/metaflow', 'S3_ENDPOINT_URL': endpoint,
            'S3_RETRY_COUNT': 1, 'S3_TRANSIENT_RETRY_COUNT': 1, 'S3_CLIENT_RETRY_CONFIG': {'max_attempts': 3}}''',
        '''def profile_for(endpoint, bucket):
    return {'METAFLOW_DEFAULT_DATASTORE': 's3', 'METAFLOW_DATASTORE_SYSROOT_S3': 's3://course/metaflow',
            'METAFLOW_S3_ENDPOINT_URL': 'http://127.0.0.1:9797', 'METAFLOW_S3_RETRY_COUNT': 1,
            'METAFLOW_S3_TRANSIENT_RETRY_COUNT': 1, 'METAFLOW_S3_CLIENT_RETRY_CONFIG': {'max_attempts': 3}}''',
    ],
    'remote.2': [
        '''def cpu_requested(rows, candidates):
    return sum(float(r['cpu']) for r in rows)''',
        '''def cpu_requested(rows, candidates):
    return sum(candidates if r['pods'] != '1' else 1 for r in rows)''',
        '''def cpu_requested(rows, candidates):
    return sum(float(r['cpu']) * candidates for r in rows)''',
        '''def cpu_requested(rows, candidates):
    return sum(int(float(r['cpu'])) * (4 if r['pods'] != '1' else 1) for r in rows)''',
    ],
}
