"""Solutions to the exercises of 09_off_the_laptop, and the model answer to its design question (for
instructors).

Design question: how long to wait for a store?
    In class: fail fast, as the course does: one retry of each kind and few attempts per request
    (`S3_FAIL_FAST`), so a wrong endpoint or a stopped server fails the run within seconds with the
    setting to fix. A student waiting silently for an hour learns nothing, and 40 students retrying
    against a down server make it worse.

    The nightly run: more patience, but bounded: enough retries with backoff to ride out a blip of a
    minute or two (say a few minutes in total), never an hour, and a failed run must page or notify
    someone, so the morning starts with "the store was down from 02:10", not with a stale model
    nobody noticed. A run that took hours should also not lose its work: `resume` restarts from the
    failed step, so a short failure costs only that step.

    Where: in the profile of each environment (`course-s3` for class, another for the nightly
    cluster), since the bounds are a property of where the run happens, not of the flow's code; an
    environment variable may override them for one run. Credit answers that bound the nightly
    retries and say who is told.
"""

# exercise remote.1
def profile_for(endpoint:str, bucket:str) -> dict:
    "The settings of a Metaflow profile for the S3 store at `endpoint`, artifacts in `bucket`"
    return {
        'METAFLOW_DEFAULT_DATASTORE': 's3',
        'METAFLOW_DATASTORE_SYSROOT_S3': f's3://{bucket}/metaflow',
        'METAFLOW_S3_ENDPOINT_URL': endpoint,
        'METAFLOW_S3_RETRY_COUNT': 1,
        'METAFLOW_S3_TRANSIENT_RETRY_COUNT': 1,
        'METAFLOW_S3_CLIENT_RETRY_CONFIG': {'max_attempts': 3, 'mode': 'standard'},
    }

# exercise remote.2
def cpu_requested(rows:list, candidates:int) -> float:
    "Total CPU requested by the pods of one run, a foreach step counted once per item"
    total = 0.0
    for row in rows:
        pods = 1 if row['pods'] == '1' else candidates
        total += float(row['cpu']) * pods
    return total
