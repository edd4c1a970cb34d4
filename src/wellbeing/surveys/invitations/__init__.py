"""Invitations mailed by the platform: batches, sending, reminders, bounces and the purge.

What is kept, and why (see ``Invitation``): each address sealed under the server's secret
with its personal link sealed beside it (a reminder repeats the same link), and a keyed
digest of the address and the wave (invited once per wave; bounces matched without opening
a seal). No row has a time. Nothing here ever tells an admin which address answered:

- the wave page shows each batch's sent, refused and bounced counts, never a count of
  answered invitations; the reminder count is rounded down like the wave's live counts
  (``rounded``), since sent - bounced - reminded would be the exact number who answered;
- an answered invitation keeps its digest (its address and link are wiped), so
  inviting the same address again, or a bounce file naming it, answers the same whether or
  not the person has answered;
- audit rows hold counts only, and a failed run's error names the kind of failure only
  (a mail server's refusal carries the address).

Every row of a wave is deleted when it stops collecting (``purge_invitations``).
"""

from wellbeing.surveys.invitations.batches import (
    MAX_ROWS_SHOWN,
    InvitationsRefused,
    Plan,
    RowError,
    Summary,
    address_digest,
    check_invitable,
    clean_address,
    create_batch,
    open_draft,
    plan_batch,
    seal_draft,
    summary,
)
from wellbeing.surveys.invitations.reading import (
    MAX_ADDRESSES,
    MAX_FILE_BYTES,
    InputError,
    Line,
    file_lines,
    pasted_lines,
)
from wellbeing.surveys.invitations.sending import (
    DeliveryInterrupted,
    deliver_batch,
    deliver_reminders,
    forget_answered,
    invitation_message,
    mark_bounced,
    purge_closed,
    purge_invitations,
    rounded,
    start_reminders,
)

__all__ = [
    "MAX_ADDRESSES",
    "MAX_FILE_BYTES",
    "MAX_ROWS_SHOWN",
    "DeliveryInterrupted",
    "InputError",
    "InvitationsRefused",
    "Line",
    "Plan",
    "RowError",
    "Summary",
    "address_digest",
    "check_invitable",
    "clean_address",
    "create_batch",
    "deliver_batch",
    "deliver_reminders",
    "file_lines",
    "forget_answered",
    "invitation_message",
    "mark_bounced",
    "open_draft",
    "pasted_lines",
    "plan_batch",
    "purge_closed",
    "purge_invitations",
    "rounded",
    "seal_draft",
    "start_reminders",
    "summary",
]
