"""Signals other parts of the site listen to, so workflow.py needn't know about them.

`content_published` is sent after the transaction that changed live content has
committed: publish, unpublish, confirm-still-accurate and scheduled changes. The
search index (search.py) and the page cache (caching.py) subscribe to it.
"""

from django.dispatch import Signal

# sender: the workflow module; kwargs: objects (list of content rows whose public pages changed), action (str),
# keys (the page keys the change touches, models/page_keys.py: the page cache invalidates exactly those),
# purges (the front-cache purges queued for them in the change's transaction, editorial/frontend_cache.py)
content_published = Signal()

# sender: the workflow module; kwargs: changes (list of models.PublicChange rows just recorded, oldest first).
# Sent once the transaction that recorded them has committed (workflow/public_record.py): a publish, an
# unpublish (now or as scheduled) or a "still accurate" confirmation. Not sent for a correction of wording.
public_changes_recorded = Signal()

# sender: None; kwargs: emails (OutboundEmail rows just committed by a part of the site that may not import the
# mail sender: the public site's alert confirmations). notifications.deliver_queued sends them.
emails_queued = Signal()
