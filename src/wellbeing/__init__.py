"""workforce-wellbeing: the Django project.

Run management commands with ``python -m wellbeing <command>`` (the project's
``manage.py``), e.g. ``python -m wellbeing demo``.
"""
