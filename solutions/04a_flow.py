"""Solutions to the exercises of 04a_flow, and the model answer to its design question (for
instructors).

Design question: the data, kept with every run.
    A whole copy per run stops making sense at 10 GB a night: a year of runs is terabytes of the
    same rows, and a customer's deletion request would have to find and rewrite every run that
    copied their records, which breaks the promise that a run is immutable.

    A reasonable choice: a snapshot in a versioned store (an object store with versioning, or a
    table format that keeps snapshots), written once per night, and each run stores only the
    reference: the snapshot's id or URL and a content hash of what it read (as an artifact, so the
    Client API shows it). Replay works for as long as the snapshot is kept; a retention policy says
    how long (e.g. 13 months), and a deletion request is carried out once, in the store, by writing
    a new snapshot without the records. Old runs then cannot be replayed exactly, and the run's
    record says so: the hash no longer matches.

    A bare path is the weak answer: the file behind it changes and the run cannot tell. Keeping the
    whole copy is defensible for small, public, rarely changing data (the course's case). Credit
    answers that name what each option loses (exact replay, storage, the ability to delete) and
    where the hash is kept.
"""
