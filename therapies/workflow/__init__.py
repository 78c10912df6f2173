"""The editorial state machine and its actions (DESIGN.md "Editorial model", rules 1-9).

Every action is a plain function with keyword-only arguments that
  1. checks permission, then state (a `can_*` function returns the refusal in the user's words),
  2. runs in one transaction,
  3. writes one AuditEvent,
  4. sends its emails once the transaction has committed.
Views, admin actions, management commands and tests all call these; no rule lives only in the UI.

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                  │  │
      └─changes_requested◀┘  └─reject─▶ rejected
    draft|changes_requested ──withdraw──▶ withdrawn

One module per concern: permissions (who may do what), drafting, review, publishing, scheduling,
seen (rule 9: an approval is for what the reviewer saw), audit, locks (one open change request per
object, and rule 5), errors. Callers import the package:
`workflow.publish(change_request=…, user=…)`.
"""

from .drafting import (
    add_object,
    create_object,
    remove_object,
    revert,
    save_draft,
    start_change_request,
    start_change_request_for,
    update_change_note,
)
from .errors import PublishConflict, StaleDraft, WorkflowError, describe_validation_error, valid_significance
from .locks import model_for, open_change_request_for
from .permissions import (
    CHECKS,
    available_actions,
    can_approve,
    can_comment,
    can_edit,
    can_publish,
    can_reject,
    can_request_changes,
    can_schedule,
    can_submit,
    can_unschedule,
    can_withdraw,
    display_name,
    is_author,
    is_editor,
    is_reviewer,
    roles,
)
from .public_record import NEEDS_CORRECTED_NOTE, can_correct, correct_public_note, corrected_wording
from .publishing import NEEDS_UNPUBLISH_REASON, confirm_reviewed, publish, unpublish
from .review import (
    NEEDS_CHANGES_COMMENT,
    NEEDS_REJECT_REASON,
    approve,
    comment,
    reject,
    request_changes,
    submit,
    withdraw,
)
from .scheduling import (
    SCHEDULE_CANCELLED,
    SCHEDULE_FAILED,
    SCHEDULED,
    ScheduledOutcome,
    can_schedule_unpublish,
    format_when,
    future_time,
    publish_due,
    schedule,
    schedule_unpublish,
    unschedule,
    unschedule_unpublish,
)
from .seen import CHANGED_SINCE_OPENED, review_digest

__all__ = [
    "CHANGED_SINCE_OPENED",
    "NEEDS_CHANGES_COMMENT",
    "NEEDS_CORRECTED_NOTE",
    "NEEDS_REJECT_REASON",
    "NEEDS_UNPUBLISH_REASON",
    "CHECKS",
    "PublishConflict",
    "SCHEDULED",
    "SCHEDULE_CANCELLED",
    "SCHEDULE_FAILED",
    "ScheduledOutcome",
    "StaleDraft",
    "WorkflowError",
    "add_object",
    "approve",
    "available_actions",
    "can_approve",
    "can_comment",
    "can_correct",
    "can_edit",
    "can_publish",
    "can_reject",
    "can_request_changes",
    "can_schedule",
    "can_schedule_unpublish",
    "can_submit",
    "can_unschedule",
    "can_withdraw",
    "comment",
    "confirm_reviewed",
    "correct_public_note",
    "corrected_wording",
    "create_object",
    "describe_validation_error",
    "display_name",
    "format_when",
    "future_time",
    "is_author",
    "is_editor",
    "is_reviewer",
    "model_for",
    "open_change_request_for",
    "publish",
    "publish_due",
    "reject",
    "remove_object",
    "request_changes",
    "revert",
    "review_digest",
    "roles",
    "save_draft",
    "schedule",
    "schedule_unpublish",
    "start_change_request",
    "start_change_request_for",
    "submit",
    "unpublish",
    "unschedule",
    "unschedule_unpublish",
    "update_change_note",
    "valid_significance",
    "withdraw",
]
