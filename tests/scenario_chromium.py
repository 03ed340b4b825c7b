"""Open a page in headless Chromium and collect what its console and network report.

Talks the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages separated by NUL
bytes on file descriptors 3 and 4), so no websocket client is needed. Used by the report tests;
Debian's ``chromium`` package provides the browser (``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
]


def chromium_binary() -> str | None:
    """Path of the Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageReport:
    """What loading a page produced."""

    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, failed loads
    warnings: list[str] = field(default_factory=list)
    evaluated: object = None  # the value of the ``evaluate`` expression
    screenshot_png: bytes | None = None


class _Pipe:
    def __init__(self, proc, write_fd: int, read_fd: int):
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout_s: float = 60.0) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        want = self.next_id
        deadline = time.monotonic() + timeout_s
        while True:
            for m in self._read(deadline):
                if m.get("id") == want:
                    if "error" in m:
                        raise RuntimeError(f"{method}: {m['error']}")
                    return m.get("result", {})
                self.events.append(m)

    def wait_event(self, method: str, timeout_s: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method:
                    return self.events.pop(i)
            self.events.extend(self._read(deadline))

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.extend(self._read(deadline))
            except TimeoutError:
                return

    def _read(self, deadline: float) -> list[dict]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium closed the pipe (exit {self.proc.poll()})")
                self.buffer += chunk
        *messages, self.buffer = self.buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]


def open_page(url: str, *, evaluate: str | None = None, screenshot: bool = False, width: int = 1280, height: int = 900,
              settle_s: float = 0.5, timeout_s: float = 60.0) -> PageReport:
    """Load ``url`` in headless Chromium; collect console errors, exceptions and failed loads.

    ``evaluate``: a JavaScript expression evaluated after the load event (its JSON value is
    returned in :attr:`PageReport.evaluated`); ``screenshot``: a full-page PNG.
    """
    binary = chromium_binary()
    if binary is None:
        raise FileNotFoundError("chromium not found")
    profile = tempfile.mkdtemp(prefix="twin-chromium-")
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    def _fds():  # in the child: its command pipe on fd 3 and its answer pipe on fd 4
        a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.dup2(a, 3)
        os.dup2(b, 4)

    cmd = [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_fds, close_fds=False)  # os.pipe() ends are not inheritable: only fds 3 and 4 pass
    os.close(to_child_r)
    os.close(from_child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    report = PageReport()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"}, timeout_s=timeout_s)["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_event("Page.loadEventFired", timeout_s=timeout_s)
        pipe.drain(settle_s)
        if evaluate:
            res = pipe.send("Runtime.evaluate", {"expression": evaluate, "returnByValue": True}, session=session)
            if "exceptionDetails" in res:
                report.errors.append(f"evaluate: {res['exceptionDetails'].get('text')}")
            report.evaluated = res.get("result", {}).get("value")
        if screenshot:
            metrics = pipe.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}},
                             session=session, timeout_s=timeout_s)
            report.screenshot_png = base64.b64decode(shot["data"])
        pipe.drain(0.1)
    finally:
        try:
            pipe.send("Browser.close", timeout_s=10)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_child_w)
        os.close(from_child_r)
        shutil.rmtree(profile, ignore_errors=True)
    for m in pipe.events:
        method, p = m.get("method"), m.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            if p.get("type") in ("error", "assert"):
                report.errors.append(f"console.{p['type']}: {text}")
            elif p.get("type") == "warning":
                report.warnings.append(f"console.warn: {text}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            report.errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            (report.errors if e.get("level") == "error" else report.warnings).append(f"log {e.get('source')}: {e.get('text')} {e.get('url', '')}")
        elif method == "Network.loadingFailed":
            report.errors.append(f"failed to load: {p.get('errorText')} ({p.get('type')})")
    return report


def file_url(path: str | os.PathLike[str]) -> str:
    return Path(path).resolve().as_uri()
