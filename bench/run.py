"""`make bench`: fill PostgreSQL, serve the app, the floor and Datasette, measure, report.

Run under scripts/with-postgres.sh (DATABASE_URL set to a throwaway cluster):

    scripts/with-postgres.sh .venv/bin/python bench/run.py

Environment:
    BENCH_SCALE     1 for the recorded sizes (1,000,000 camera counts...); 0.1 for a quick run
    BENCH_SECONDS   time bound of each measurement phase (default 5)
    BENCH_REQUESTS  request bound of each latency phase (default 100)
    BENCH_CONCURRENCY  clients of the throughput phase (default 4)
    BENCH_RESULTS   where to write the results block (default bench/RESULTS.md; "-" for none)
    BENCH_CSV_TIMEOUT  stop reading a CSV after this many seconds (default 240)
    BENCH_ONLY      comma-separated case names to run (default all)
"""

import base64
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
CSV_TIMEOUT = float(os.environ.get("BENCH_CSV_TIMEOUT", "240"))
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
PORTS = {"app": 8701, "floor": 8702, "datasette": 8703}
ADMIN_USER, ADMIN_PASSWORD = "bench", "bench-password-not-secret"

SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "DSR_API_ANON_RATE": "none",  # the load generator is one client address
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def manage(*args, env=None, check=True, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env or os.environ, check=check, text=True,
        capture_output=capture,
    )


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    pg = subprocess.run([f"{os.environ.get('PG_BIN', '')}/postgres", "--version"], capture_output=True, text=True)
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "postgres": pg.stdout.strip().replace("postgres (PostgreSQL) ", "") or "unknown",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load": f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
    }


# Servers ------------------------------------------------------------------------------

class Server:
    def __init__(self, name, argv, env):
        self.name = name
        self.port = PORTS[name]
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, path, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                status, _, _ = loadgen.Client(self.port, timeout=30).request(path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start; see {self.log.name}:\n{Path(self.log.name).read_text()[-3000:]}")

    def worker_pids(self):
        """The gunicorn workers (children of the master), or the process itself."""
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            return [int(k) for k in kids] or [self.proc.pid]
        except OSError:
            return [self.proc.pid]

    def restart_workers(self):
        """End the workers (one may be stuck writing a long response); the master starts new ones."""
        for pid in self.worker_pids():
            if pid != self.proc.pid:
                os.kill(pid, signal.SIGKILL)
        time.sleep(3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def rss_kb(pid, field="VmRSS"):
    try:
        match = re.search(rf"{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
        return int(match.group(1)) if match else 0
    except OSError:
        return 0


class RssSampler(threading.Thread):
    """Peak resident memory of a server's worker processes while a request runs."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.peak_kb, self.done = server, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            for pid in self.server.worker_pids():
                self.peak_kb = max(self.peak_kb, rss_kb(pid))
            time.sleep(0.02)

    def stop(self):
        self.done.set()
        self.join()
        return self.peak_kb / 1024


def gunicorn(name, app, env):
    return Server(
        name,
        [str(BIN / "gunicorn"), app, "--workers", "2", "--bind", f"127.0.0.1:{PORTS[name]}", "--timeout", "600",
         "--graceful-timeout", "5"],
        env,
    )


# Measurements -------------------------------------------------------------------------

def measure(port, path, cookies=None):
    """p50/p95 with one client, requests/s with BENCH_CONCURRENCY clients."""
    lat = loadgen.run(port, path, concurrency=1, seconds=SECONDS, max_requests=REQUESTS, cookies=cookies)
    if lat["p50"] is not None and lat["p50"] > 2000:
        # Seconds a request: a throughput phase would only queue; 2 workers serve 2 at a time.
        thr = {**lat, "rps": 2000 / lat["p50"]}
    else:
        thr = loadgen.run(port, path, concurrency=CONCURRENCY, seconds=SECONDS, max_requests=REQUESTS * 10,
                          warmup=1, cookies=cookies)
    bad = {s: n for s, n in {**lat["statuses"], **thr["statuses"]}.items() if s != 200}
    result = {"p50": lat["p50"], "p95": lat["p95"], "rps": thr["rps"], "n": lat["n"] + thr["n"],
              "bytes": lat["bytes"], "errors": bad}
    if lat["p50"] is None:
        result["failed"] = "no answer"
    log(f"    {result}")
    return result


def measure_stream(server, path, cookies=None):
    """One request, read to the end: wall time, bytes and the server's peak RSS."""
    client = loadgen.Client(server.port, timeout=900)
    if cookies:
        client.cookies.update(cookies)
    sampler = RssSampler(server)
    sampler.start()
    t = time.perf_counter()
    lines = [0]
    deadline = t + CSV_TIMEOUT

    def count(chunk):
        lines[0] += chunk.count(b"\n")
        if time.perf_counter() > deadline:
            raise TimeoutError

    try:
        status, _, size = client.request(path, stream_to=count)
        timed_out = False
    except TimeoutError:
        status, size, timed_out = 200, None, True
    wall = time.perf_counter() - t
    peak = sampler.stop()
    client.close()
    if timed_out:  # the server is still writing: let it go
        server.restart_workers()
    return {"wall": wall, "bytes": size, "lines": lines[0], "peak_mb": peak, "status": status,
            "timed_out": timed_out}


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.1f}{unit}" if v < 100 else f"{v:,.0f}{unit}"
    return f"{v}{unit}"


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/run.py needs DATABASE_URL pointing at PostgreSQL (run it through scripts/with-postgres.sh)")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="dsr-bench-"))
    env = {**os.environ, **SERVER_ENV, "STATIC_ROOT": str(work / "static"), "PYTHONPATH": str(ROOT)}
    info = machine()
    log(f"machine: {info}")

    log("migrate...")
    manage("migrate", "--noinput", "-v0", env=env)
    log(f"fill (BENCH_SCALE={SCALE})...")
    t = time.monotonic()
    fill_out = subprocess.run([PY, "bench/fill.py"], cwd=ROOT, env=env, check=True, text=True, capture_output=True)
    fill_s = time.monotonic() - t
    log(fill_out.stdout)
    manage("shell", "-c", (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"U.objects.create_superuser({ADMIN_USER!r}, 'bench@example.org', {ADMIN_PASSWORD!r})"
    ), env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    log("export to SQLite for Datasette...")
    t = time.monotonic()
    sqlite_path = work / "bench.db"
    subprocess.run([PY, "bench/export_sqlite.py", str(sqlite_path)], cwd=ROOT, env=env, check=True)
    export_s = time.monotonic() - t

    ids = json.loads(manage("shell", "-c", (
        "import json; from registry.models import CameraCount, Country; "
        "print(json.dumps({'in': Country.objects.get(iso2='IN').id, 'cameras': CameraCount.objects.count(), "
        "'mid': CameraCount.objects.order_by('id').values_list('id', flat=True)[CameraCount.objects.count() // 2], "
        "'deep_id': CameraCount.objects.order_by('-id').values_list('id', flat=True)[100]}))"
    ), env=env, capture=True).stdout.strip().splitlines()[-1])
    n_cameras = ids["cameras"]
    deep = max(0, n_cameras - 100)

    queries = None
    if not ONLY or "queries" in ONLY:
        out = subprocess.run([PY, "bench/querycounts.py"], cwd=ROOT, env=env, text=True, capture_output=True)
        try:
            queries = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            log(f"querycounts failed: {out.stderr[-2000:]}")

    servers = {}
    try:
        servers["app"] = gunicorn("app", "dsr_project.wsgi:application", env)
        servers["floor"] = gunicorn("floor", "bench.floor:application", env)
        servers["datasette"] = Server(
            "datasette",
            [str(BIN / "datasette"), "serve", "-i", str(sqlite_path), "--host", "127.0.0.1", "--port",
             str(PORTS["datasette"]), "--setting", "max_returned_rows", "1000"],
            env,
        )
        servers["app"].wait_ready("/health")
        servers["floor"].wait_ready("/health")
        servers["datasette"].wait_ready("/-/versions.json")
        results = run_cases(servers, ids, deep)
    finally:
        for server in servers.values():
            server.stop()

    audit = None
    if not ONLY or "audit" in ONLY:
        commands = manage("help", "--commands", env=env, capture=True).stdout.split()
        if "audit_data" in commands:
            log("audit_data...")
            t = time.monotonic()
            out = manage("audit_data", "--format", "json", env=env, check=False, capture=True)
            audit = {"wall": time.monotonic() - t, "rc": out.returncode, "bytes": len(out.stdout)}
        else:
            audit = {"missing": True}

    results["queries"] = queries
    report = render(info, results, audit, fill_out.stdout, fill_s, export_s, n_cameras, time.monotonic() - started)
    print(report)
    target = os.environ.get("BENCH_RESULTS", str(ROOT / "bench" / "RESULTS.md"))
    if target != "-":
        write_results(Path(target), report)
        log(f"written to {target}")
    shutil.rmtree(work, ignore_errors=True)


def run_cases(servers, ids, deep):
    ds = "/bench"
    where_loans = quote("id in (select loan_id from loan_lenders where lender = 'export-import-bank-of-china')")
    where_cables = quote("id in (select cable_id from cable_landings where country = 'ID')")
    mid = ids["mid"]
    cases = [
        # name, label, app path, floor path, datasette path, kind
        ("cameras", "camera counts ?country=IN&vendor=hikvision&limit=50",
         "/api/camera-counts?country=IN&vendor=hikvision&limit=50", None,
         f"{ds}/camera_counts.json?country=IN&vendor=hikvision&_sort=city&_size=50&_shape=objects", "filtered"),
        ("loans", "loans ?lender=exim&year__gte=2017&limit=50",
         "/api/loans?lender=exim&year__gte=2017&limit=50", None,
         f"{ds}/loans.json?_where={where_loans}&year__gte=2017&_sort_desc=committed&_size=50&_shape=objects",
         "filtered"),
        ("cables", "cables ?landing_country=ID",
         "/api/cables?landing_country=ID", None,
         f"{ds}/cables.json?_where={where_cables}&_sort=name&_size=50&_shape=objects", "filtered"),
        ("detail", "camera count detail", f"/api/camera-counts/{mid}", None,
         f"{ds}/camera_counts/{mid}.json?_shape=objects", "endpoint"),
        ("first-offset", "camera counts, first page", "/api/camera-counts?limit=50", None,
         None, "endpoint"),
        ("first", "camera counts, first keyset page (?cursor=)", "/api/camera-counts?limit=50&cursor=", None,
         f"{ds}/camera_counts.json?_size=50&_shape=objects", "first"),
        ("deep-offset", f"camera counts, offset {deep:,}", f"/api/camera-counts?limit=50&offset={deep}", None,
         None, "endpoint"),
        ("deep", f"camera counts, keyset page after id {ids['deep_id']:,} (?cursor=)",
         f"/api/camera-counts?limit=50&cursor={cursor_token(ids['deep_id'])}", None,
         f"{ds}/camera_counts.json?_size=50&_next={ids['deep_id']}&_shape=objects", "deep"),
        ("geojson", "landing stations GeoJSON", "/api/landing-stations?format=geojson", None, None, "endpoint"),
    ]
    results = {"rows": [], "streams": [], "admin": []}
    for name, label, app_path, floor_path, ds_path, kind in cases:
        if ONLY and name not in ONLY:
            continue
        row = {"name": name, "label": label, "kind": kind}
        for target, path in (("app", app_path), ("floor", floor_path or app_path), ("datasette", ds_path)):
            if path is None:
                continue
            log(f"{name}: {target} {path}")
            try:
                row[target] = measure(servers[target].port, path)
            except Exception as error:  # a server error is a result, not a crash of the bench
                row[target] = {"failed": repr(error)}
        if name == "cables":
            row["same_as_floor"] = same_body(servers, app_path)
        results["rows"].append(row)

    if not ONLY or "csv" in ONLY:
        for target, path in (
            ("app", "/api/camera-counts?format=csv"),
            ("floor", "/api/camera-counts?format=csv"),
            ("datasette", f"{ds}/camera_counts.csv?_stream=on&_size=max"),
        ):
            log(f"csv: {target} {path}")
            try:
                results["streams"].append({"target": target, **measure_stream(servers[target], path)})
            except Exception as error:
                results["streams"].append({"target": target, "failed": repr(error)})

    if not ONLY or "admin" in ONLY:
        try:
            client = loadgen.login_admin(PORTS["app"], ADMIN_USER, ADMIN_PASSWORD)
            cookies = dict(client.cookies)
            client.close()
            for label, path in (
                ("admin camera counts, unfiltered", "/admin/registry/cameracount/"),
                ("admin camera counts, ?country=IN&vendor=hikvision",
                 f"/admin/registry/cameracount/?country__id__exact={ids['in']}&vendor__id__exact=3"),
            ):
                log(f"admin: {path}")
                results["admin"].append({"label": label, "path": path, "app": measure(PORTS["app"], path, cookies)})
        except Exception as error:
            results["admin"].append({"label": "admin login", "app": {"failed": repr(error)}})
    return results


def same_body(servers, path):
    """Whether the app and the floor answer `path` with the same JSON (their addresses in
    the links aside): the floor's figure is only a floor for the same records."""
    bodies = []
    for name in ("app", "floor"):
        client = loadgen.Client(servers[name].port)
        _, _, body = client.request(path)
        client.close()
        bodies.append(json.loads(body.decode().replace(f"127.0.0.1:{servers[name].port}", "HOST")))
    return bodies[0] == bodies[1]


def cursor_token(pk):
    """The API's keyset cursor for the rows after `pk` (registry.api.pagination.encode_cursor)."""
    return base64.urlsafe_b64encode(f"id>{pk}".encode()).decode().rstrip("=")


def verdict(ok):
    return "met" if ok else "MISSED"


def render(info, results, audit, fill_text, fill_s, export_s, n_cameras, total_s):
    out = []
    out.append(f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} RAM, PostgreSQL {info['postgres']}, "
               f"Python {info['python']}, {info['os']}; load average at start {info['load']}.")
    out.append(f"Data (BENCH_SCALE={SCALE}): " + ", ".join(
        f"{m.group(2)} {m.group(1).strip()}" for m in re.finditer(r"^\s+(.+?)\s+([\d,]+)$", fill_text, re.M)
    ) + f". Fill {fill_s:.0f} s (COPY + VACUUM ANALYZE), SQLite export {export_s:.0f} s, whole run {total_s / 60:.1f} min.")
    out.append(f"Latency: one client, at most {REQUESTS} requests or {SECONDS:g} s; req/s: {CONCURRENCY} clients, "
               f"at most {REQUESTS * 10} requests or {SECONDS:g} s. Servers: gunicorn 2 sync workers (app, floor); "
               "Datasette 0.65 with its defaults, `-i` (immutable).")
    out.append("")
    out.append("| request | app p50 ms | app p95 ms | app req/s | floor p50 | floor req/s | Datasette p50 | "
               "Datasette req/s | target | |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    targets, notes = [], []
    first_p50 = None
    for row in results["rows"]:
        app, floor, dsv = row.get("app", {}), row.get("floor", {}), row.get("datasette", {})
        if "failed" in app or app.get("errors"):
            note = app.get("failed") or f"HTTP {app.get('errors')}"
            out.append(f"| {row['label']} | {note} | | | {fmt(floor.get('p50'))} | {fmt(floor.get('rps'))} | "
                       f"{fmt(dsv.get('p50'))} | {fmt(dsv.get('rps'))} | | MISSED |")
            targets.append((row["label"], False, note))
            continue
        goal, ok = "p95 < 1 s", app["p95"] < 1000
        if row["kind"] == "filtered":
            goal = "p50 <= 2x floor, req/s >= Datasette, p95 < 1 s"
            ok = ok and app["p50"] <= 2 * (floor.get("p50") or 0) and app["rps"] >= (dsv.get("rps") or 0)
        elif row["kind"] == "first":
            first_p50 = app["p50"]
        elif row["kind"] == "deep" and first_p50:
            goal = "p50 <= 2x first page"
            ok = ok and app["p50"] <= 2 * first_p50
        if row.get("same_as_floor") is not None:
            notes.append(f"The floor's answer to `{row['label']}` is the app's, record for record: "
                         f"{'yes' if row['same_as_floor'] else 'NO'}.")
        targets.append((row["label"], ok, goal))
        out.append(
            f"| {row['label']} | {fmt(app['p50'])} | {fmt(app['p95'])} | {fmt(app['rps'])} | {fmt(floor.get('p50'))} | "
            f"{fmt(floor.get('rps'))} | {fmt(dsv.get('p50'))} | {fmt(dsv.get('rps'))} | {goal} | {verdict(ok)} |"
        )
    for row in results["admin"]:
        app = row["app"]
        if "failed" in app or app.get("errors"):
            note = app.get("failed") or f"HTTP {app.get('errors')}"
            out.append(f"| {row['label']} | {note} | | | | | | | p50 < 300 ms | MISSED |")
            targets.append((row["label"], False, note))
            continue
        ok = app["p50"] < 300 and app["p95"] < 1000
        targets.append((row["label"], ok, "p50 < 300 ms"))
        out.append(f"| {row['label']} | {fmt(app['p50'])} | {fmt(app['p95'])} | {fmt(app['rps'])} | | | | | "
                   f"p50 < 300 ms, p95 < 1 s | {verdict(ok)} |")
    if notes:
        out += [""] + notes
    if results["streams"]:
        out.append("")
        out.append(f"| CSV of all {n_cameras:,} camera counts | wall s | MB | lines | server peak RSS MB | target | |")
        out.append("|---|---:|---:|---:|---:|---|---|")
        for s in results["streams"]:
            if "failed" in s or s.get("status") != 200:
                out.append(f"| {s['target']} | {s.get('failed') or 'HTTP ' + str(s.get('status'))} | | | | | |")
                if s["target"] == "app":
                    targets.append(("CSV", False, "failed"))
                continue
            goal = ok = ""
            if s.get("timed_out"):
                rate = s["lines"] / s["wall"]
                out.append(f"| {s['target']} | stopped at {s['wall']:.0f} s: {s['lines']:,} lines, {rate:,.0f}/s "
                           f"(all in ~{n_cameras / rate / 60:.0f} min) | | | {s['peak_mb']:.0f} | | MISSED |")
                if s["target"] == "app":
                    targets.append(("CSV", False, f"{rate:,.0f} rows/s: not all rows within {CSV_TIMEOUT:.0f} s"))
                continue
            if s["target"] == "app":
                good = s["peak_mb"] < 200 and s["lines"] >= n_cameras
                goal, ok = "peak RSS < 200 MB, every row", verdict(good)
                targets.append(("CSV", good, goal))
            out.append(f"| {s['target']} | {s['wall']:.1f} | {s['bytes'] / 1e6:.0f} | {s['lines']:,} | "
                       f"{s['peak_mb']:.0f} | {goal} | {ok} |")
    if results.get("queries"):
        out.append("")
        out.append("| queries per request | page of 5 | page of 50 | HTTP | constant |")
        out.append("|---|---:|---:|---:|---|")
        for path, (small, big, status) in results["queries"].items():
            if status != 200:
                out.append(f"| `{path}` | | | {status} | |")
                continue
            targets.append((f"queries of {path}", small == big, "constant in page size"))
            out.append(f"| `{path}` | {small} | {big} | {status} | {verdict(small == big)} |")
    if audit is not None:
        out.append("")
        if audit.get("missing"):
            out.append("`audit_data`: not on this branch yet.")
        else:
            out.append(f"`audit_data --format json`: {audit['wall']:.1f} s, exit {audit['rc']}, "
                       f"{audit['bytes'] / 1e3:.0f} kB of findings.")
            targets.append(("audit_data", audit["rc"] == 0, "runs"))
    out.append("")
    met = sum(1 for _, ok, _ in targets if ok)
    out.append(f"Targets: {met} of {len(targets)} met." + "".join(
        f" Missed: {label} ({goal})." for label, ok, goal in targets if not ok
    ))
    return "\n".join(out)


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_results(path, report):
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{BEGIN}\n### Latest run ({stamp})\n\n{report}\n{END}"
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
