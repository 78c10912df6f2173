# Included by msinfo.vcl (issue 23): one copy of each page, whatever spelling of its address a client sends.
#
# N3: Varnish kept an object for every distinct query string and Host spelling for an hour, so one client
# could push every real page out. Here, before the lookup:
# - Host is written one way: lower case, no trailing dot ("LOCALHOST.:8604" is "localhost:8604"). The site
#   itself marks for keeping only answers to its own spelling (site/caching.py `canonical_request`): a host
#   with another port, or one the site does not serve, is answered but not kept.
# - Query parameters no page declares are removed: the allow-list is every name a `public_page` reads
#   (tests/test_frontend_varnish.py checks it against the site's URLs), so "?cachebust=N" is the page itself.
# I1: a `sessionid` cookie that is not a well-formed Django session key (32 lower-case letters and digits)
# names no session: it is no reason to pass, as the site's own page cache agrees.

sub msinfo_canonical_request {
    set req.http.host = std.tolower(regsub(req.http.host, "\.(:[0-9]+)?$", "\1"));
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url,
            "([?&])(?!(?:all|course|drug_class|nct_id|p|page|page_size|phase|pregnancy|priority|q|region|route|significance|t|therapy|visits|way)=)[^&]*",
            "\1");
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
}

sub msinfo_signed_in {
    # Signed in (a well-formed session key) or holding a one-time message: never served from, nor stored in,
    # this cache.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=[a-z0-9]{32}(;|$)" || req.http.Cookie ~ "(^|;\s*)messages=") {
        return (pass);
    }
}
