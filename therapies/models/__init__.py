"""Models: content (content.py) and the editorial records (editorial.py)."""

from .content import (  # noqa: F401
    DatePrecision,
    DrugClass,
    Frequency,
    MSCourse,
    Phase,
    PublishState,
    Reference,
    ReferenceKind,
    Risk,
    Route,
    Severity,
    Therapy,
    TherapyRisk,
    Trial,
    validate_doi,
    validate_nct_id,
    validate_pmid,
    validate_slug,
)
from .editorial import (  # noqa: F401
    EDITABLE_STATES,
    OPEN_STATES,
    AuditAction,
    AuditEvent,
    ChangeRequest,
    ContentLock,
    ReviewComment,
    Revision,
    Significance,
    State,
)
