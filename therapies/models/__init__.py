"""Models: content (content.py), trial outcomes (outcomes.py),
editorial text (texts.py), the editorial records (editorial.py), the one
definition of "published" (querysets.py), the one list of content kinds (kinds.py) and the controlled
vocabularies content is described with (vocabulary.py)."""

from .alerts import (  # noqa: F401
    AlertDigestEntry,
    AlertEvent,
    AlertFrequency,
    AlertLevel,
    AlertSignup,
    AlertSubscriber,
    AlertSubscription,
)
from .content import (  # noqa: F401
    DatePrecision,
    DrugClass,
    Frequency,
    Phase,
    PublishState,
    Reference,
    ReferenceKind,
    Risk,
    Severity,
    Therapy,
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
    FrontendPurge,
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
    RequiredSection,
    cited_models,
    content_models,
    is_content,
    kind_for,
    kind_named,
    page_kinds,
)
from .outcomes import OutcomeKind, TrialOutcome, outcome_errors  # noqa: F401
from .public_record import PublicChange, PublicEvent  # noqa: F401
from .querysets import live_q  # noqa: F401
from .risk_figures import figure_errors  # noqa: F401
from .texts import EditorialPlace, EditorialText  # noqa: F401
from .therapy_risk import TherapyRisk  # noqa: F401
from .vocabulary import (  # noqa: F401
    AdministrationRoute,
    Indication,
    MSCourse,
    Regulator,
    Route,
    by_regulator,
)
