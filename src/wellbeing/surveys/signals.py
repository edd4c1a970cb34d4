"""What the surveys app announces to the apps that read its data.

Sent after the transaction that made the change commits, with ``wave``:

- ``wave_closed``: a wave stopped collecting (its results are published now);
- ``responses_imported``: an import stored responses in a wave.

The reports app publishes a release on both (``reports.apps``); surveys never imports it.
"""

from django.dispatch import Signal

wave_closed = Signal()
responses_imported = Signal()
