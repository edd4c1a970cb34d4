"""gunicorn settings for production: the access log that leaves respondents out.

    gunicorn -c python:wellbeing.gunicorn_conf wellbeing.wsgi --access-logfile - ...

Only the logging is set here; workers, threads, timeouts and the bind address stay on the
command line (docs/operations.md). ``RedactingLogger`` logs respondent paths as ``/t/-``,
``/s/-`` and ``/r/-`` without address or browser, drops every query string and logs no
referer, cookie or other header, whatever ``access_log_format`` asks for.
"""

logger_class = "wellbeing.core.accesslog.RedactingLogger"
# The combined format without the referer; the user agent is "-" on respondent paths.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" %(M)sms'
