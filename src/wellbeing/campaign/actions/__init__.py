"""The one write path for the campaign: each action is atomic and leaves an audit row.

Split by subject; import from here (``from wellbeing.campaign import actions``).
"""

from wellbeing.campaign.actions._common import TransitionError
from wellbeing.campaign.actions.commitments import (
    MetricInput,
    add_commitment,
    add_metric,
    set_commitment_status,
)
from wellbeing.campaign.actions.progress import (
    fill_metrics_from_wave,
    link_metric_to_survey,
    record_progress,
    send_due_reminders,
)
from wellbeing.campaign.actions.signon import (
    CONFIRM_MAX_AGE,
    CONFIRM_SALT,
    INDIVIDUAL_AUTHORITY,
    NewOrganization,
    approve,
    change_role,
    confirm_email,
    confirmation_token,
    decline,
    participant_to_confirm,
    sign_on,
    sign_on_visitor,
    update_listing,
)
from wellbeing.campaign.actions.support import (
    assign_support,
    close_support,
    reply_support,
    request_support,
)

__all__ = [
    "CONFIRM_MAX_AGE",
    "CONFIRM_SALT",
    "INDIVIDUAL_AUTHORITY",
    "MetricInput",
    "NewOrganization",
    "TransitionError",
    "add_commitment",
    "add_metric",
    "approve",
    "assign_support",
    "change_role",
    "close_support",
    "confirm_email",
    "confirmation_token",
    "decline",
    "fill_metrics_from_wave",
    "link_metric_to_survey",
    "participant_to_confirm",
    "record_progress",
    "reply_support",
    "request_support",
    "send_due_reminders",
    "set_commitment_status",
    "sign_on",
    "sign_on_visitor",
    "update_listing",
]
