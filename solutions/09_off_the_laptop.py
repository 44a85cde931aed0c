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
