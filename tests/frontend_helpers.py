"""Stand-ins and a real Varnish for the front-cache tests (tests/test_frontend_cache.py, test_frontend_varnish.py)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

VARNISHD = os.environ.get("VARNISHD_PATH", "/usr/sbin/varnishd")
VCL_DIR = Path(__file__).resolve().parents[1] / "deploy" / "varnish"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PurgeRecorder:
    """A front cache that only records the purges it receives (and, through `on_purge`, what was true then)."""

    def __init__(self, on_purge=None) -> None:
        self.purges: list[tuple[str, str, str]] = []  # (method, path, xkey-softpurge: a soft purge)
        self.seen: list = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                recorder.purges.append((self.command, self.path, self.headers.get("xkey-softpurge", "")))
                if on_purge:
                    recorder.seen.append(on_purge())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def keys(self) -> set[str]:
        return {key for _method, _path, header in self.purges for key in header.split()}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Forwarder:
    """A TCP path to a front cache that can be cut and restored: the front cache "down" for the site while
    it keeps its pages (a restarted Varnish would have lost them, proving nothing)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.listener: socket.socket | None = None

    def up(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(8)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def require_varnish() -> None:
    """Skip without Varnish and its xkey module, with the reason; under CI=true, fail instead."""
    xkey = list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")) + list(
        Path("/usr/lib/varnish/vmods").glob("libvmod_xkey.so"))
    if os.path.exists(VARNISHD) and xkey:
        return
    message = (f"Varnish with the xkey module is not installed ({VARNISHD}; "
               "Debian: apt-get install varnish varnish-modules)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true requires the front-cache tests to run.")
    pytest.skip(f"{message}; front-cache tests skipped.")


class Varnish:
    """varnishd with deploy/varnish/msinfo.vcl on a free port, in front of the given app server ports."""

    def __init__(self, workdir: Path, backend_ports: list[int]) -> None:
        self.workdir = workdir
        self.purge_token = secrets.token_hex(16)  # what the site's FRONTEND_PURGE_TOKEN must be
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        backends = "".join(
            f'backend app{n} {{ .host = "127.0.0.1"; .port = "{port}"; }}\n' for n, port in enumerate(backend_ports)
        )
        (workdir / "backends.vcl").write_text(
            backends + "sub msinfo_backend { set req.backend_hint = app0; }\n"
        )
        (workdir / "purge_token.vcl").write_text(
            (VCL_DIR / "purge_token.example.vcl").read_text().replace(
                "replace-with-the-sites-FRONTEND_PURGE_TOKEN", self.purge_token)
        )
        self.process = subprocess.Popen(
            [VARNISHD, "-F", "-j", "none", "-n", str(workdir / "state"), "-a", f"127.0.0.1:{self.port}",
             "-f", str(VCL_DIR / "msinfo.vcl"), "-p", f"vcl_path={workdir}:{VCL_DIR}",
             "-s", "malloc,32m", "-T", "127.0.0.1:0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("varnishd did not start listening within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.workdir / "state", ignore_errors=True)
