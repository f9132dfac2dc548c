"""A site that sets cookies must not make the crawl fetch the public suffix list."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.conftest import run_crawl


class ProxyRecorder:
    """A loopback 'proxy' that records the first line of every connection and closes it."""

    def __init__(self):
        self.lines: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.lines.append(conn.recv(1024).split(b"\r\n", 1)[0])


def test_cookie_setting_site_does_not_fetch_the_suffix_list(behaviours_server, tmp_path):
    recorder = ProxyRecorder()
    # Every connection to a non-loopback host goes to the recorder instead of the network.
    env = {"HTTP_PROXY": recorder.url, "HTTPS_PROXY": recorder.url,
           "NO_PROXY": "127.0.0.1,localhost", "TLDEXTRACT_CACHE": str(tmp_path / "tld")}
    start = behaviours_server.base_urls["behaviours"] + "challenge.html"  # sets a cookie
    result = run_crawl(tmp_path, "notices", f"start_url={start}", env=env)
    assert "anti-bot challenge" in result.log  # the answer (and its cookie) was processed
    assert recorder.lines == []
    recorder.sock.close()
