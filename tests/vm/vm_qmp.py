# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal synchronous QMP client (standard library only) used by the VM test runner.

import json
import socket
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, connect_timeout=20.0, proc=None):
        self.events = []
        self._buf = b""
        self._id = 0
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                # QEMU creates the socket only after parsing its command line;
                # an early exit (bad option) must not look like a slow start.
                if proc is not None and proc.poll() is not None:
                    raise QMPError(f"QEMU exited (status {proc.returncode}) before opening QMP")
                if time.monotonic() > deadline:
                    raise QMPError(f"QMP socket {path} did not appear within {connect_timeout:.0f}s")
                time.sleep(0.05)
        self.sock.settimeout(30.0)
        greeting = self._recv()
        if "QMP" not in greeting:
            raise QMPError(f"unexpected QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _recv(self):
        while b"\n" not in self._buf:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise
            except OSError as e:
                raise QMPError(f"QMP connection lost: {e}") from e
            if not chunk:
                raise QMPError("QMP connection closed by QEMU")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        """Run a command; return its 'return' value or raise QMPError with QEMU's error text."""
        self._id += 1
        msg = {"execute": name, "id": self._id}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            resp = self._recv()
            if "event" in resp:
                self.events.append(resp)
                continue
            if resp.get("id") != self._id:
                continue
            if "error" in resp:
                err = resp["error"]
                raise QMPError(f"{name}: {err.get('class')}: {err.get('desc')}")
            return resp.get("return")

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def wait_event(self, name, timeout=30.0, match=None):
        """Wait for an event (already queued ones count); match filters on its data."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("event") == name and (match is None or match(ev.get("data", {}))):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError(f"no {name} event within {timeout:.0f}s")
            self.sock.settimeout(left)
            try:
                resp = self._recv()
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(30.0)
            if "event" in resp:
                self.events.append(resp)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
