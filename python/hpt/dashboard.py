"""hpt.dashboard -- a live, read-only view of a running job.

    python3 -m hpt dashboard job.hptj --port 8080     # http://127.0.0.1:8080/

Serves the report (hpt.report) of the journal, rebuilt when the journal
changed (at most every 3 seconds: a render costs about a second), with Python's standard-library HTTP server, bound to 127.0.0.1
unless told otherwise. The page polls /state every few seconds and reloads
when a trial was asked or finished. Read-only: GET and HEAD of "/" and
"/state" only; every other method is refused (405). The journal is read
without its lock, as hpt_study_load does, so the job is never disturbed.
"""
import http.server
import math
import os
import threading
import time
from typing import Any, Tuple, Union

from . import report

_Path = Union[str, "os.PathLike[str]"]


def _state(path: str) -> str:
    """What changes whenever a record is appended: size and mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return "%d-%d" % (st.st_size, st.st_mtime_ns)


class _Page:
    """The rendered page, rebuilt when the journal changed, at most once per
    `every` seconds (a busy job appends records many times a second, and a
    render costs a second or so of CPU)."""

    def __init__(self, journal: str, poll_ms: int, every: float = 3.0) -> None:
        self.journal, self.poll_ms, self.every = journal, poll_ms, every
        self.lock = threading.Lock()
        # "" is no state _state gives: the first get renders
        self.key, self.body, self.at = "", b"", -math.inf

    def get(self) -> Tuple[str, bytes]:
        """(key, body) of the current page; the key is what /state says, so
        a browser reloads only once a newer page exists."""
        with self.lock:
            key = _state(self.journal)
            if key != self.key and time.monotonic() - self.at >= self.every:
                try:
                    text = report.render(self.journal, poll=(key, "/state", self.poll_ms))
                except Exception as e:   # a journal being created, a torn read ...
                    text = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                            "<meta http-equiv=\"refresh\" content=\"2\"></head><body>"
                            "<p>hpt dashboard: cannot read %s yet (%s); retrying.</p>"
                            "</body></html>" % (report._esc(self.journal), report._esc(e)))
                self.key, self.body, self.at = key, text.encode("utf-8"), time.monotonic()
            return self.key, self.body


def make_server(journal: _Path, port: int = 8080, host: str = "127.0.0.1",
                poll_ms: int = 2000, every: float = 3.0) -> http.server.ThreadingHTTPServer:
    """An http.server.ThreadingHTTPServer serving the dashboard of `journal`
    (port 0: any free port, see server.server_address); the page is rebuilt
    at most every `every` seconds. Call serve_forever() on it, shutdown()
    from another thread to stop."""
    page = _Page(os.fspath(journal), poll_ms, every)

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "hpt-dashboard"

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(200, page.get()[1], "text/html; charset=utf-8")
            elif path == "/state":
                self._send(200, page.get()[0].encode(), "text/plain")
            else:
                self._send(404, b"not found\n", "text/plain")

        do_HEAD = do_GET

        def _refuse(self) -> None:
            self.send_response(405)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet: the terminal is the job's
            pass

    return http.server.ThreadingHTTPServer((host, port), Handler)


def serve(journal: _Path, port: int = 8080, host: str = "127.0.0.1",
          poll_ms: int = 2000) -> None:
    server = make_server(journal, port, host, poll_ms)
    h, p = server.server_address[:2]
    # an AF_INET address: h is a str (typeshed allows bytes for other families)
    print("hpt dashboard of %s on http://%s:%d/ (Ctrl-C to stop)" % (journal, str(h), p),
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
