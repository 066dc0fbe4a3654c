"""`make load`: the app under gunicorn on 127.0.0.1, many clients, then a database outage.

Run under scripts/with-postgres.sh (the Makefile does): it migrates the throwaway
database, loads the seed fixtures, issues an Editor's token and starts gunicorn on a
free loopback port. Then:

1. Steady load: CLIENTS concurrent clients for DURATION seconds, reads (lists with
   filters, details, CSV) mixed with authenticated writes (creates and updates of loans
   and camera counts). Required: zero errors and zero timeouts at a 10 s client timeout.
2. Outage: the same load for OUTAGE_RUN seconds with PostgreSQL stopped for OUTAGE
   seconds in the middle. Required: every answer in the window is a 503 with a JSON body
   and comes quickly; the same server answers 200 again once the database is back.
3. Every acknowledged write (201 or 200) is in the database with its values and a
   history row of its own.

Traffic goes to 127.0.0.1 only; every loop is bounded by time and stops by itself.
Environment: LOAD_CLIENTS (200), LOAD_DURATION (60), LOAD_OUTAGE (10), LOAD_TIMEOUT (10),
LOAD_THINK (2: seconds a client waits between requests, on average), LOAD_WORKERS (4)
and LOAD_THREADS (8) for gunicorn.
"""

import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "200"))
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
OUTAGE = float(os.environ.get("LOAD_OUTAGE", "10"))
OUTAGE_RUN = OUTAGE + 20
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "10"))
WRITE_SHARE = 0.2
# Each client waits between requests (uniformly, THINK/2 to 3*THINK/2 seconds), as real
# clients do; LOAD_THINK=0 makes it a closed loop that measures saturation only.
THINK = float(os.environ.get("LOAD_THINK", "2"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
THREADS = int(os.environ.get("LOAD_THREADS", "8"))
FAST_503 = 0.5  # seconds: the median answer during the outage comes at least this fast

READS = [
    "/api/loans?limit=10",
    "/api/loans?limit=10&ordering=-amount_usd",
    "/api/loans?borrower_country=PH",
    "/api/loans?year__gte=2015&year__lte=2022&limit=10",
    "/api/camera-counts?limit=10",
    "/api/camera-counts?country=VN",
    "/api/cables?limit=5",
    "/api/cables?format=geojson",
    "/api/organizations?q=huawei",
    "/api/countries?limit=20",
    "/api/agreements?limit=10",
    "/api/landing-stations?limit=10",
    "/api/finance-estimates?format=csv&limit=10",
    "/api/sources?limit=10",
]


class Client:
    """One keep-alive connection to the server, as a load client would hold."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data, response
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A keep-alive connection the server closed between requests: reconnect once.
                self.close()
                if attempt == 2:
                    raise error
        raise AssertionError("unreachable")

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = Counter()
        self.errors = []
        self.timeouts = 0
        self.outage = []  # (started, status, seconds, is_json)
        self.acknowledged = []  # (kind, id, values)

    def add(self, started, status, seconds):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


def loan_body(tag):
    return {
        "slug": f"load-loan-{tag}",
        "title": f"Load-test loan {tag}",
        "borrower_country": "PHL",
        "instrument": "loan",
        "amount": f"{random.randint(1, 10**6)}.00",
        "currency": "USD",
        "amount_usd": "1000.00",
        "committed": "2021-01-01",
        "committed_precision": "year",
        "provenance": {"source": "orf-issue-brief-683", "locator": "load test"},
    }


def camera_body(tag):
    return {
        "slug": f"load-camera-{tag}",
        "country": "VN",
        "city": "Hanoi",
        "count": random.randint(1, 10**6),
        "measure": "cameras",
        "provenance": {"source": "orf-issue-brief-683", "locator": "load test"},
    }


def in_window(window, started):
    """During the outage, counting the requests in flight (queued or streaming, up to the
    client timeout) when it began and the few seconds after the database's return."""
    if window is None or window[0] is None:
        return False
    return window[0] - TIMEOUT <= started and (window[1] is None or started <= window[1] + 5)


def worker(number, port, token, stats, deadline, outage_window):
    rng = random.Random(number)
    client = Client(port)
    auth = {"Authorization": f"Token {token}"}
    mine = []  # (kind, id) this client created; only it updates them
    n = 0
    time.sleep(rng.uniform(0, THINK))  # clients do not all start in the same millisecond
    while time.monotonic() < deadline:
        if n and THINK:
            time.sleep(rng.uniform(THINK / 2, THINK * 1.5))
        n += 1
        tag = f"{os.getpid()}-{number}-{n}-{int(time.time() * 1000)}"
        started = time.monotonic()
        kind = values = record_id = None
        last_path = "a write"
        try:
            if rng.random() < WRITE_SHARE:
                kind = rng.choice(["loans", "camera-counts"])
                candidates = [r for r in mine if r[0] == kind]
                if candidates and rng.random() < 0.5:
                    _, record_id = rng.choice(candidates)
                    values = {"amount": f"{rng.randint(1, 10**6)}.00"} if kind == "loans" else {"count": rng.randint(1, 10**6)}
                    status, data, _ = client.request("PATCH", f"/api/{kind}/{record_id}", values, auth)
                else:
                    values = loan_body(tag) if kind == "loans" else camera_body(tag)
                    status, data, _ = client.request("POST", f"/api/{kind}", values, auth)
            else:
                last_path = rng.choice(READS)
                status, data, response = client.request("GET", last_path)
        except TimeoutError:
            with stats.lock:
                stats.timeouts += 1
            client.close()
            continue
        except (OSError, http.client.HTTPException, ValueError) as error:
            # A streamed answer (CSV, GeoJSON) cut off when the database stopped under it
            # is part of the outage; anywhere else it is an error.
            client.close()
            if not in_window(outage_window, started):
                where = ""
                if outage_window and outage_window[0]:
                    where = f" (started {started - outage_window[0]:+.1f}s from the outage's start)"
                with stats.lock:
                    stats.errors.append(f"{type(error).__name__}: {error}{where} on {last_path}")
            time.sleep(0.1)
            continue
        seconds = time.monotonic() - started
        stats.add(started, status, seconds)
        in_outage = in_window(outage_window, started)
        if in_outage:
            is_json = status != 503 or data.startswith(b"{")
            with stats.lock:
                stats.outage.append((started, status, seconds, is_json))
        if status in (200, 201) and kind:
            body = json.loads(data)
            with stats.lock:
                stats.acknowledged.append((kind, body["id"], values))
            if status == 201:
                mine.append((kind, body["id"]))
        elif status == 503:
            time.sleep(0.2)  # as a client would, briefly
        elif status >= 400 and not in_outage:
            with stats.lock:
                stats.errors.append(f"{status} {data[:200]!r}")
    client.close()


def run_load(port, token, duration, outage=None):
    stats = Stats()
    deadline = time.monotonic() + duration
    window = [None, None] if outage else None
    threads = [
        threading.Thread(target=worker, args=(i, port, token, stats, deadline, window), daemon=True)
        for i in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    recovery = None
    if outage:
        cluster, stop_at = outage
        time.sleep(stop_at)
        window[0] = time.monotonic()
        cluster.stop()
        print(f"  PostgreSQL stopped at t={window[0] - started:.1f}s", flush=True)
        time.sleep(OUTAGE)
        cluster.start()
        window[1] = time.monotonic()
        print(f"  PostgreSQL started again at t={window[1] - started:.1f}s", flush=True)
        recovery = wait_for_recovery(port)
    for thread in threads:
        thread.join(duration + TIMEOUT + 30)
    stats.elapsed = time.monotonic() - started
    stats.recovery = recovery
    return stats


def wait_for_recovery(port):
    """Seconds after the database's return until the same server answers 200 again."""
    began = time.monotonic()
    client = Client(port)
    while time.monotonic() - began < 30:
        try:
            status, _, _ = client.request("GET", "/api/loans?limit=1")
            if status == 200:
                return time.monotonic() - began
        except OSError:
            client.close()
        time.sleep(0.1)
    return None


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name, stats):
    total = sum(stats.statuses.values())
    print(f"{name}: {total} requests in {stats.elapsed:.1f}s ({total / stats.elapsed:.0f}/s), {CLIENTS} clients")
    print(
        f"  latency p50 {percentile(stats.latencies, 0.5) * 1000:.0f} ms, p95 {percentile(stats.latencies, 0.95) * 1000:.0f} ms,"
        f" p99 {percentile(stats.latencies, 0.99) * 1000:.0f} ms, max {max(stats.latencies, default=0) * 1000:.0f} ms"
    )
    print(f"  statuses {dict(sorted(stats.statuses.items()))}; errors {len(stats.errors)}; timeouts {stats.timeouts}")
    print(f"  acknowledged writes {len(stats.acknowledged)}")
    for error in stats.errors[:10]:
        print(f"    {error}")


def verify_writes(acknowledged):
    """Every acknowledged write is in the database, with a history row that holds its values."""
    from registry import models

    model_for = {"loans": models.Loan, "camera-counts": models.CameraCount}
    field_for = {"loans": "amount", "camera-counts": "count"}
    by_record = defaultdict(list)
    for kind, record_id, values in acknowledged:
        by_record[(kind, record_id)].append(values)
    missing = []
    for (kind, record_id), writes in by_record.items():
        model, field = model_for[kind], field_for[kind]
        record = model.objects.filter(pk=record_id).first()
        if record is None:
            missing.append(f"{kind} {record_id}: not in the database")
            continue
        history = [str(value) for value in record.history.values_list(field, flat=True)]
        for values in writes:
            if str(values[field]) not in history:
                missing.append(f"{kind} {record_id}: no history row with {field}={values[field]}")
        if str(getattr(record, field)) != str(writes[-1][field]):
            missing.append(f"{kind} {record_id}: {field} is {getattr(record, field)}, last write {writes[-1][field]}")
        if record.history.count() < len(writes):
            missing.append(f"{kind} {record_id}: {record.history.count()} history rows for {len(writes)} writes")
    return len(by_record), missing


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsr_project.settings")
    os.environ.setdefault("SECRET_KEY", "load-test-secret-key-not-for-production-use-0123456789")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("load: run under scripts/with-postgres.sh (make load does)")
        return 2
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from registry.models import ApiToken
    from reliability.harness import PostgresCluster, Server

    cluster = PostgresCluster.current()
    print("load: migrating and loading the seed fixtures", flush=True)
    call_command("migrate", verbosity=0)
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
    if fixtures:
        call_command("loaddata", *fixtures, verbosity=0)
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="load-editor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Editors"))
    _, token = ApiToken.issue(user, "load test")
    connection.close()

    log = Path(os.environ.get("PG_DIR", "/tmp")) / "gunicorn-load.log"
    server = Server(
        env={"DSR_API_ANON_RATE": "none", "DB_CONN_MAX_AGE": "60"},
        workers=WORKERS, threads=THREADS, settings_module="dsr_project.test_settings", log=log,
    )
    failures = []
    with server:
        print(f"load: gunicorn on {server.url} ({WORKERS} workers x {THREADS} threads); {CLIENTS} clients, {THINK:g}s mean think time, {TIMEOUT:.0f}s timeout", flush=True)
        steady = run_load(server.port, token, DURATION)
        report("steady load", steady)
        if steady.errors or steady.timeouts:
            failures.append(f"steady load: {len(steady.errors)} errors, {steady.timeouts} timeouts")

        if OUTAGE <= 0:
            print("outage: skipped (LOAD_OUTAGE=0)")
        elif cluster is None:
            print("outage: skipped (no cluster of scripts/with-postgres.sh to stop)")
        else:
            print(f"outage: {OUTAGE_RUN:.0f}s of load, PostgreSQL stopped for {OUTAGE:.0f}s in the middle", flush=True)
            faulted = run_load(server.port, token, OUTAGE_RUN, outage=(cluster, (OUTAGE_RUN - OUTAGE) / 2))
            report("outage run", faulted)
            in_window = [o for o in faulted.outage]
            answered_503 = [o for o in in_window if o[1] == 503]
            slow = [o for o in answered_503 if o[2] >= TIMEOUT]
            not_json = [o for o in answered_503 if not o[3]]
            latencies = [o[2] for o in answered_503]
            print(
                f"  in the outage: {len(answered_503)} answers were 503 (JSON: {len(answered_503) - len(not_json)}),"
                f" p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies, default=0) * 1000:.0f} ms;"
                f" other statuses {dict(Counter(o[1] for o in in_window if o[1] != 503))}"
            )
            recovery = faulted.recovery
            print(f"  recovered {'in %.1fs' % recovery if recovery is not None else 'NOT within 30s'} after the database returned, same server process")
            if not answered_503 or slow or not_json or percentile(latencies, 0.5) > FAST_503:
                failures.append(
                    f"outage: {len(answered_503)} 503s, median {percentile(latencies, 0.5):.2f}s,"
                    f" {len(slow)} hung to the timeout, {len(not_json)} not JSON"
                )
            if recovery is None:
                failures.append("outage: no recovery")
            if faulted.timeouts or faulted.errors:
                failures.append(f"outage run: {len(faulted.errors)} errors outside the window, {faulted.timeouts} timeouts")
            steady.acknowledged += faulted.acknowledged

    records, missing = verify_writes(steady.acknowledged)
    print(f"writes: {len(steady.acknowledged)} acknowledged on {records} records; {len(missing)} missing or without history")
    for line in missing[:10]:
        print(f"    {line}")
    if missing:
        failures.append(f"{len(missing)} acknowledged writes missing")
    if failures:
        print("load: FAILED: " + "; ".join(failures))
        return 1
    print("load: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
