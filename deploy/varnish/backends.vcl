# The app servers behind Varnish: edit for your deployment (several: add backends and a director,
# as bench/two_servers.sh does). Included by msinfo.vcl.
backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = { .url = "/healthz"; .interval = 5s; .timeout = 2s; .window = 5; .threshold = 3; }
}

sub msinfo_backend {
    set req.backend_hint = app1;
}
