# The secret a PURGE must carry (issue 23), besides coming from the `purgers` ACL: behind a TLS terminator on
# the same host every reader connects from 127.0.0.1, so the address alone proves nothing. Copy to
# purge_token.vcl next to backends.vcl (readable by varnishd only) and put the site's FRONTEND_PURGE_TOKEN
# setting in it; the site sends it in the X-Purge-Token header of every purge.
sub msinfo_purge_token {
    if (req.http.X-Purge-Token != "replace-with-the-sites-FRONTEND_PURGE_TOKEN") {
        return (synth(403, "Purging needs the purge token."));
    }
}
