# Varnish in front of msinfo (issue 16; docs/PERFORMANCE.md "The front cache", README "Varnish in front").
#
# Keeps what the site says may be kept (Cache-Control: public, s-maxage=...), for anonymous GETs only,
# tagged with the page keys the site sends in `xkey`. A publish purges those keys:
#   PURGE / with `xkey-purge: therapy:12 list:trial` (or `xkey-softpurge:`), from the `purgers` ACL only,
#   carrying the secret X-Purge-Token header (purge_token.vcl).
# The app servers are defined in backends.vcl (found on vcl_path; backends.example.vcl shows one),
# which sets req.backend_hint in `sub msinfo_backend`.
vcl 4.1;

import std;
import xkey;

include "backends.vcl";
# Issue 23: the secret purge token (purge_token.example.vcl), and one copy per page address (canonical.vcl).
include "purge_token.vcl";
include "canonical.vcl";

acl purgers {
    "127.0.0.1";
    "::1";
}

# --- Soft purges (issue 27; docs/PERFORMANCE.md "Soft purges") ---------------------------------------
# The site sends `xkey-softpurge`: a purged page stays here with its TTL at zero. A reader asking for it
# within this grace gets it at once while Varnish fetches the new page in the background (one fetch,
# whoever asks); so nobody waits on a publish, and the old page is shown for the time one render takes.
# After the grace a purged page that has still not been replaced is not served: readers wait for the
# fetch. Pages that expired by their TTL are refreshed the same way. (Defined before the main vcl_recv,
# which returns: Varnish runs the bodies of a sub in the order they appear.)
sub vcl_recv {
    set req.grace = 2s;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from this address."));
        }
        call msinfo_purge_token;
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "A purge names its keys in an xkey-purge header."));
        }
        return (synth(200, "Purged " + req.http.x-purged + " object(s)."));
    }
    call msinfo_backend;
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    call msinfo_signed_in;
    if (req.http.Authorization) {
        return (pass);
    }
    # An anonymous GET carries no cookie the page may depend on: the site never keeps a page that
    # read one. Dropping them lets every reader share the copy (Varnish passes requests with cookies).
    unset req.http.Cookie;
    call msinfo_canonical_request;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Honour Cache-Control: keep for s-maxage (else max-age) what is not private, no-cache or no-store.
    # The site marks public exactly the pages its own page cache kept. No Cache-Control at all (an
    # error page, a 404) is kept by nobody, instead of for Varnish's default TTL.
    if (!beresp.http.Cache-Control || beresp.http.Cache-Control ~ "(private|no-cache|no-store)" ||
        beresp.ttl <= 0s || beresp.http.Set-Cookie || beresp.http.Vary ~ "(?i)cookie") {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # The TTL comes from s-maxage (Varnish reads it before max-age). A purge is immediate; grace
    # only lets an expired page be served while its refresh is fetched.
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this cache; readers' browsers revalidate (max-age=0) and must not keep a shared copy longer.
    unset resp.http.xkey;
}
