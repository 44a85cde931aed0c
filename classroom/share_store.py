"""On a class server, what a student's run writes into the shared run store, the whole class can read.

Metaflow writes each file of its local datastore and metadata to a temporary file first (`tempfile`), which
Python creates readable by its owner only (mode 600), then renames it into place. With one Unix user per student
that would hide every run from every other student, from the instructor's class view, and from the flow's own
champion-against-challenger test (which loads the served model, often another student's). `make classroom`
installs this module in the class's environment with a .pth file, so it is loaded at every Python start there;
it does something only in a student's server, where REGRESSION_COURSE_SHARED_STORE names the store: a
temporary file made inside the store is given the class group's read and write permission (664) at once.
Nothing outside the store changes.
"""
import os
import tempfile

_STORE = os.environ.get('REGRESSION_COURSE_SHARED_STORE')

if _STORE and hasattr(tempfile, '_mkstemp_inner'):
    _store = os.path.realpath(_STORE) + os.sep
    _mkstemp_inner = tempfile._mkstemp_inner

    def _shared_mkstemp_inner(*args, **kwargs):
        fd, name = _mkstemp_inner(*args, **kwargs)
        if os.path.realpath(name).startswith(_store):
            os.fchmod(fd, 0o664)
        return fd, name

    tempfile._mkstemp_inner = _shared_mkstemp_inner
