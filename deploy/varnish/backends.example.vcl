# The app servers behind Varnish. Copy to backends.vcl in a directory on varnishd's vcl_path and edit
# (several app servers: add backends and a director, as bench/two_servers.sh does). msinfo.vcl includes it.
backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = { .url = "/healthz"; .interval = 5s; .timeout = 2s; .window = 5; .threshold = 3; }
}

sub msinfo_backend {
    set req.backend_hint = app1;
}
