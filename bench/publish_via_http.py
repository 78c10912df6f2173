"""Publish an approved change request through one server's admin, as a signed-in reviewer.

    python bench/publish_via_http.py http://127.0.0.1:8201 USER PASSWORD CHANGE_REQUEST_ID
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from http_client import Session

base, username, password, pk = sys.argv[1:5]
session = Session(base)
session.login(username, password)
page = f"/admin/therapies/changerequest/{pk}/change/"
status = session.post_form(page, f"/admin/therapies/changerequest/{pk}/action/publish/")
_, html, _ = session.request(page)
if status != 302 or "Published" not in html:
    raise SystemExit(f"Publishing change request #{pk} through {base} failed (status {status})")
print(f"published change request #{pk} through {base}")
