"""A tiny HTTP client for the bench scripts (standard library only): a staff session on a running server.

Cookies are kept by hand: with DEBUG off the session cookie is marked Secure, and the standard
library's cookie jar would then never send it back over the bench's plain http://127.0.0.1.
"""

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310  our own http://127.0.0.1 server
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (redirects are not followed) and 4xx/5xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)

    def csrf_token(self, path: str) -> str:
        status, html, _ = self.request(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise RuntimeError(f"No CSRF token on {path} (status {status})")
        return match.group(1)

    def login(self, username: str, password: str) -> None:
        token = self.csrf_token("/admin/login/")
        status, _, headers = self.request(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
        )
        if status != 302:
            raise RuntimeError(f"Could not sign in as {username} (status {status})")

    def post_form(self, page: str, action: str, data: dict | None = None) -> int:
        """Post to `action` as the form on `page` would: its CSRF token and, on a review page, what the
        reviewer saw (rule 9: an approval or publish is refused without it); then say yes on its confirm page."""
        status, html, _ = self.request(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not token:
            raise RuntimeError(f"No CSRF token on {page} (status {status})")
        fields = {"csrfmiddlewaretoken": token.group(1)}
        if seen := re.search(r'name="seen" value="([0-9a-f]*)"', html):
            fields["seen"] = seen.group(1)
        status, html, _ = self.request(action, {**fields, **(data or {})})
        confirm = re.search(r'name="confirm" value="([^"]+)"', html) if status == 200 else None
        if confirm:  # the action answers with its confirm page (issue 14): only its "Yes" button acts
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            status, _, _ = self.request(action, {"csrfmiddlewaretoken": token.group(1), "confirm": confirm.group(1)})
        return status
