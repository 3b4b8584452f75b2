"""hpt.dashboard: answers on 127.0.0.1, follows a running job (a trial told
after the server started shows up), refuses writes."""
import importlib.util
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

import hpt
from hpt import dashboard

pytestmark = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                reason="the dashboard needs matplotlib (python3-matplotlib)")

SPACE = {"a": hpt.Float(0, 1), "b": hpt.Int(1, 5)}


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode("utf-8")


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "live.hptj"
    study = hpt.Study(SPACE, strategy="random", seed=0, max_trials=50, journal=path)
    for _ in range(3):
        t = study.ask()
        t.tell(t.params["a"])
    server = dashboard.make_server(path, port=0, poll_ms=500, every=0)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    host, port = server.server_address[:2]
    yield study, "http://%s:%d" % (host, port), host
    server.shutdown()
    server.server_close()
    study.close()


def test_follows_the_job(served):
    study, url, host = served
    assert host == "127.0.0.1"
    status, page = _get(url + "/")
    assert status == 200 and page.count('<tr class="complete">') == 3
    assert "/state" in page                      # the page polls for changes
    _, before = _get(url + "/state")
    t = study.ask()                              # started after the server ...
    _, running = _get(url + "/state")
    assert running != before
    assert _get(url + "/")[1].count('<tr class="running">') == 1
    time.sleep(0.01)
    t.tell(0.123456)                             # ... and told while it serves
    _, after = _get(url + "/state")
    assert after != running
    page = _get(url + "/")[1]
    assert page.count('<tr class="complete">') == 4 and '<tr class="running">' not in page
    assert ">0.123456<" in page


def test_rebuilds_at_most_every_few_seconds(tmp_path):
    path = tmp_path / "busy.hptj"
    study = hpt.Study(SPACE, strategy="random", max_trials=50, journal=path)
    study.ask().tell(1.0)
    server = dashboard.make_server(path, port=0, every=3600)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    url = "http://%s:%d" % server.server_address[:2]
    try:
        _, first = _get(url + "/state")
        study.ask().tell(2.0)
        # the journal changed, but the page is not due: /state and / agree
        # on the page already built, so a browser does not reload for nothing
        assert _get(url + "/state")[1] == first
        assert _get(url + "/")[1].count('<tr class="complete">') == 1
    finally:
        server.shutdown()
        server.server_close()
        study.close()


def test_read_only(served):
    _, url, _ = served
    for method in ("POST", "PUT", "DELETE"):
        req = urllib.request.Request(url + "/", data=b"x", method=method)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url + "/etc/passwd", timeout=10)
    assert e.value.code == 404


def test_command_line_binds_localhost(tmp_path, env_with_lib):
    path = tmp_path / "j.hptj"
    s = hpt.Study(SPACE, strategy="random", max_trials=5, journal=path)
    s.ask().tell(1.0)
    s.close()
    p = subprocess.Popen([sys.executable, "-m", "hpt", "dashboard", str(path), "--port", "0"],
                         env=env_with_lib, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        line = p.stdout.readline()
        assert "http://127.0.0.1:" in line, p.stderr.read() if p.poll() is not None else line
        url = line.split("on ", 1)[1].split(" ", 1)[0]
        status, page = _get(url)
        assert status == 200 and '<tr class="complete">' in page
    finally:
        p.terminate()
        p.wait(timeout=10)
