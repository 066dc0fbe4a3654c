"""Helpers shared by the fault tests and `make load`.

- `Server`: gunicorn on 127.0.0.1 (a free port), started and stopped by us.
- `PostgresCluster`: stop and start the throwaway cluster that scripts/with-postgres.sh
  made (it exports PG_DIR and PG_BIN).
"""

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, timeout=10, headers=None):
    """(status, body bytes, headers, seconds) for a GET; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), response.headers, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers, time.monotonic() - started


class Server:
    """gunicorn serving the project on 127.0.0.1 only."""

    def __init__(self, env=None, workers=2, threads=1, settings_module="dsr_project.test_settings", log=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "reliability-harness-secret-key-not-for-production-use"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.workers = workers
        self.threads = threads
        self.log = log
        self.process = None

    def start(self, wait=30):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn), "dsr_project.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--log-level", "warning",
        ]
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class PostgresCluster:
    """The cluster that scripts/with-postgres.sh started; None from `current()` elsewhere."""

    def __init__(self, pg_dir, pg_bin):
        self.pg_dir = pg_dir
        self.pg_bin = pg_bin
        self.data = os.path.join(pg_dir, "data")

    @classmethod
    def current(cls):
        pg_dir, pg_bin = os.environ.get("PG_DIR"), os.environ.get("PG_BIN")
        if not pg_dir or not pg_bin or not os.path.isdir(os.path.join(pg_dir, "data")):
            return None
        return cls(pg_dir, pg_bin)

    def _as_owner(self, command):
        # The server refuses to run as root: run pg_ctl as the owner of the data folder.
        if os.geteuid() == 0:
            owner = pwd.getpwuid(os.stat(self.data).st_uid).pw_name
            return ["runuser", "-u", owner, "--", *command]
        return command

    def stop(self):
        subprocess.run(
            self._as_owner([f"{self.pg_bin}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"]),
            check=True, capture_output=True, timeout=60,
        )

    def start(self):
        options = (
            f"-k {self.pg_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off {os.environ.get('PG_EXTRA_OPTIONS', '')}"
        )
        subprocess.run(
            self._as_owner([
                f"{self.pg_bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.pg_dir, "server.log"),
                "-w", "-t", "60", "-o", options, "start",
            ]),
            check=True, capture_output=True, timeout=90,
        )

    def is_running(self):
        result = subprocess.run(
            self._as_owner([f"{self.pg_bin}/pg_ctl", "-D", self.data, "status"]), capture_output=True, timeout=30
        )
        return result.returncode == 0


def database_url(settings_dict):
    """A DATABASE_URL for the database Django is using now (the test database under pytest)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or settings_dict.get("OPTIONS", {}).get("host") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    at = "@" if user else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}{at}/{settings_dict['NAME']}?host={host}"
    return f"postgresql://{user}{password}{at}{host}{port}/{settings_dict['NAME']}"
