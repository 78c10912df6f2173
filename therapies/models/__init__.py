"""Models: content (content.py), editorial text (texts.py), the editorial records (editorial.py), the one
definition of "published" (querysets.py) and the one list of content kinds (kinds.py)."""

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
    CorrectionStatus,
    CorrectionSuggestion,
    OutboundEmail,
    ReviewComment,
    ReviewReminder,
    Revision,
    Significance,
    State,
)
from .kinds import (  # noqa: F401
    KINDS,
    ChildRows,
    ContentKind,
    cited_models,
    content_models,
    is_content,
    kind_for,
    kind_named,
    page_kinds,
)
from .querysets import live_q  # noqa: F401
from .texts import EditorialPlace, EditorialText  # noqa: F401
