"""gunicorn settings for production: the access log that leaves respondents out, and workers
that start ready.

    gunicorn -c python:wellbeing.gunicorn_conf wellbeing.wsgi --access-logfile - ...

Workers, threads, timeouts and the bind address stay on the command line
(docs/operations.md).

``RedactingLogger`` logs respondent paths as ``/t/-``, ``/s/-`` and ``/r/-`` without address
or browser, drops every query string and logs no referer, cookie or other header, whatever
``access_log_format`` asks for. The master creates it before it forks, so every worker logs
through it.

``preload_app``: the master imports the application (``wellbeing.wsgi``: Django's set-up and
every URL configuration and view) once, before it forks. A worker is a fork of that process,
so one started to replace a worker that died (killed, out of memory, ``--max-requests``)
answers within a fraction of a second instead of importing Django and the project again,
seconds on a busy machine (``bench/boot.py``). What that asks of the application: importing it opens no database
connection, cache client or thread (``tests/core/test_core_startup.py``), and ``pre_fork``
closes any database connection the master holds all the same, so no worker shares one. The
price: ``kill -HUP`` starts new workers from the code the master loaded, so an upgrade restarts
the master (docs/operations.md, "Upgrades and migrations").
"""

logger_class = "wellbeing.core.accesslog.RedactingLogger"
# The combined format without the referer; the user agent is "-" on respondent paths.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" %(M)sms'

preload_app = True


def pre_fork(server: object, worker: object) -> None:
    """Close the master's database connections before a worker is forked from it.

    A connection inherited by two processes is one socket written by both: their queries and
    answers interleave. Django connects lazily and the application opens none at import, so
    this normally closes nothing; it keeps a connection opened by a future import from being
    shared. Without ``preload_app`` Django is not set up in the master and there is nothing
    to close.
    """
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()
