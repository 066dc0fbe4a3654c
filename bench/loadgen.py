"""A small load generator for loopback servers: threads, one keep-alive connection each.

Bounded in both count and time. Only 127.0.0.1 is allowed.
"""

import http.client
import re
import statistics
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"


class Client:
    """A keep-alive HTTP/1.1 connection to one loopback port, with cookies."""

    def __init__(self, port, timeout=300):
        self.port = port
        self.timeout = timeout
        self.cookies = {}
        self.conn = None

    def request(self, path, method="GET", body=None, headers=None, stream_to=None):
        """(status, headers, body bytes or the byte count when stream_to is given)."""
        hdrs = {"Host": f"{HOST}:{self.port}", "Accept-Encoding": "identity"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                if stream_to is not None:
                    size = 0
                    while chunk := resp.read(1 << 16):
                        size += len(chunk)
                        stream_to(chunk)
                    data = size
                else:
                    data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, dict(resp.getheaders()), data

    def close(self):
        if self.conn:
            self.conn.close()


def login_admin(port, username, password):
    """A client logged in to the Django admin through its login form."""
    client = Client(port)
    status, _, body = client.request("/admin/login/?next=/admin/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise RuntimeError(f"admin login page: HTTP {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password, "next": "/admin/"}
    )
    status, _, _ = client.request(
        "/admin/login/?next=/admin/",
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{port}/admin/login/"},
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"admin login failed: HTTP {status}")
    return client


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(port, path, *, concurrency=1, seconds=5.0, max_requests=200, warmup=2, cookies=None):
    """Send GET path until max_requests or seconds pass; latencies in ms and requests/s."""
    lock = threading.Lock()
    latencies, statuses, sizes = [], {}, []
    sent = [0]
    deadline = [0.0]

    def worker():
        client = Client(port)
        if cookies:
            client.cookies.update(cookies)
        try:
            try:
                for _ in range(warmup):
                    client.request(path)
            finally:
                barrier.wait()
            go.wait()
            while True:
                with lock:
                    if sent[0] >= max_requests or time.monotonic() > deadline[0]:
                        return
                    sent[0] += 1
                t = time.perf_counter()
                status, _, body = client.request(path)
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    sizes.append(len(body))
        finally:
            client.close()

    barrier = threading.Barrier(concurrency + 1, timeout=900)
    go = threading.Event()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.monotonic()
    deadline[0] = start + seconds
    go.set()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - start
    return {
        "n": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "mean": statistics.fmean(latencies) if latencies else None,
        "rps": len(latencies) / wall if wall else None,
        "statuses": statuses,
        "bytes": int(statistics.fmean(sizes)) if sizes else 0,
    }
