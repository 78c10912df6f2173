"""gunicorn settings for msinfo, read from the environment (README "Deploying"). `gunicorn msinfo.wsgi`
picks this file up from the working directory; `make bench` passes it explicitly.

The one setting that matters most is `forwarded_allow_ips`. gunicorn's default trusts X-Forwarded-Proto
(and -Protocol, -Ssl) from 127.0.0.1, whatever Django's SECURE_PROXY_SSL_HEADER says: a proxy on the
same host that passed a client's own header along let that client claim HTTPS, and so skip the HTTPS
redirect and weaken the CSRF referer check. Here no address is trusted unless FORWARDED_ALLOW_IPS
names the proxy (issue 15). Whether Django believes X-Forwarded-Proto is then decided by Django alone
(SECURE_PROXY_SSL_HEADER, README "Configuration").
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, one request each at a time: two per core (a worker waiting on PostgreSQL leaves the core free).
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
# A request taking longer than this is killed and its worker restarted; nothing the site serves should come
# near it (the review page's word diff and Markdown rendering are bounded: docs/PERFORMANCE.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak can never grow without end.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Trust no proxy's X-Forwarded-* headers unless told which addresses are our proxies (comma-separated).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
proxy_allow_ips = forwarded_allow_ips  # the PROXY protocol, likewise
# Headers and request lines are bounded (gunicorn's own limits, stated here so they are deliberate).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
