#!/usr/bin/env python3
"""Loopback HTTP/1.1 clients for bench/run.sh's MODE=idle and MODE=startup (driven by bench/fresh.sh).

  clients.py idle PORT N PARALLEL READY STOP TIMEOUT
      Opens N keep-alive connections to 127.0.0.1:PORT, at most PARALLEL of them being set up at once. Each
      sends one GET / and reads the whole answer, then stays open and idle. Once every connection has its
      answer or failed (or TIMEOUT seconds passed) it writes "answered failed seconds errors" to READY, then
      waits until the file STOP exists (600 s at most), prints "open K" (the connections the proxy has not
      closed meanwhile) and closes them all.

  clients.py first200 PORT TIMEOUT POLL READY
      Creates READY, then sends GET / to 127.0.0.1:PORT every POLL seconds until an answer is 200 with its
      whole body; prints the wall-clock time it arrived, in microseconds since the epoch, and exits 0. Exits 1
      after TIMEOUT seconds.

Only the standard library; Python 3.7 or newer.
"""
import collections
import os
import resource
import selectors
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sluice-bench\r\n\r\n"


class Answer:
    """One HTTP/1.1 response read incrementally; the body is counted, not kept."""

    def __init__(self):
        self.head = bytearray()
        self.status = None
        self.left = None      # body bytes still to come (Content-Length)
        self.chunked = False
        self.tail = b""       # last bytes of a chunked body, to see its end

    def feed(self, data):
        """Returns the status once the response is complete, else None."""
        if self.status is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return None
            lines = bytes(self.head[:end]).decode("latin-1").split("\r\n")
            self.status = int(lines[0].split()[1])
            for line in lines[1:]:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key == "content-length":
                    self.left = int(value.strip())
                elif key == "transfer-encoding" and "chunked" in value.lower():
                    self.chunked = True
            data = bytes(self.head[end + 4:])
            self.head = bytearray()
            if self.left is None and not self.chunked:
                self.left = 0  # no body announced (a 204/304, or a length this client does not follow)
        if self.chunked:
            self.tail = (self.tail + data)[-7:]
            return self.status if self.tail.endswith(b"0\r\n\r\n") else None
        self.left -= len(data)
        return self.status if self.left <= 0 else None


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard == resource.RLIM_INFINITY else min(need, hard), hard))


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def idle(port, n, parallel, ready, stop, timeout):
    raise_nofile(n + 64)
    sel = selectors.DefaultSelector()
    errors = collections.Counter()
    kept = []
    state = {}  # socket -> Answer, or None while connecting
    started = answered = 0
    t0 = time.monotonic()
    deadline = t0 + timeout

    def fail(sock, why):
        errors[why] += 1
        if sock in state:
            del state[sock]
            sel.unregister(sock)
        sock.close()

    while (started < n or state) and time.monotonic() < deadline:
        while started < n and len(state) < parallel:
            started += 1
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            except OSError as e:
                errors[type(e).__name__] += 1
                sock.close()
                continue
            state[sock] = None
            sel.register(sock, selectors.EVENT_WRITE)
        for key, _ in sel.select(timeout=0.5):
            sock = key.fileobj
            if state[sock] is None:  # connected, or failed to
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(sock, os.strerror(err))
                    continue
                try:
                    sock.send(REQUEST)  # a few dozen bytes: one send into an empty socket buffer
                except OSError as e:
                    fail(sock, type(e).__name__)
                    continue
                state[sock] = Answer()
                sel.modify(sock, selectors.EVENT_READ)
                continue
            try:
                data = sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError as e:
                fail(sock, type(e).__name__)
                continue
            if not data:
                fail(sock, "closed before the answer")
                continue
            try:
                status = state[sock].feed(data)
            except (ValueError, IndexError):
                fail(sock, "unreadable answer")
                continue
            if status is None:
                continue
            del state[sock]
            sel.unregister(sock)
            if status == 200:
                answered += 1
                kept.append(sock)
            else:
                fail(sock, "status %d" % status)
    for sock in list(state):
        fail(sock, "no answer within %ss" % timeout)
    errors["not started"] += n - started
    failed = n - answered
    summary = ",".join("%s:%d" % (k.replace(" ", "_"), v) for k, v in errors.items() if v) or "-"
    write_atomically(ready, "%d %d %.2f %s\n" % (answered, failed, time.monotonic() - t0, summary))

    hold_until = time.monotonic() + 600
    while not os.path.exists(stop) and time.monotonic() < hold_until:
        time.sleep(0.05)
    # Still open: nothing to read (a closed connection reads as EOF, so it is readable).
    check = selectors.DefaultSelector()
    for sock in kept:
        check.register(sock, selectors.EVENT_READ)
    gone = len(check.select(timeout=0))
    print("open %d" % (len(kept) - gone), flush=True)
    for sock in kept:
        sock.close()
    return 0


def first200(port, timeout, poll, ready):
    write_atomically(ready, "polling\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(REQUEST)
                answer = Answer()
                status = None
                while status is None:
                    data = sock.recv(262144)
                    if not data:
                        raise ConnectionError("closed")
                    status = answer.feed(data)
                if status == 200:
                    print(time.time_ns() // 1000, flush=True)
                    return 0
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(poll)
    return 1


def main(argv):
    if len(argv) == 8 and argv[1] == "idle":
        return idle(int(argv[2]), int(argv[3]), int(argv[4]), argv[5], argv[6], float(argv[7]))
    if len(argv) == 6 and argv[1] == "first200":
        return first200(int(argv[2]), float(argv[3]), float(argv[4]), argv[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
