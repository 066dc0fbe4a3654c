#!/usr/bin/env bash
# The whole suite, once on SQLite and once on a throwaway PostgreSQL cluster, then a
# summary of both. REQUIRE_POSTGRES=1 makes a missing PostgreSQL a failure, not a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RESULTS=$(mktemp -d /tmp/dsr-test.XXXXXX)
trap 'rm -rf "$RESULTS"' EXIT

run_suite() {  # name, then pytest arguments
    local name=$1; shift
    echo "=== test suite on $name ==="
    "$PY" -m pytest --junitxml="$RESULTS/$name.xml" "$@"
    local rc=$?
    # pytest's 5 is "no tests collected": a suite that ran nothing has not passed.
    echo "$rc" >"$RESULTS/$name.rc"
    return 0
}

unset DATABASE_URL
run_suite sqlite "$@"

scripts/with-postgres.sh "$PY" -m pytest --junitxml="$RESULTS/postgresql.xml" "$@"
pg_rc=$?
if [ "$pg_rc" = 3 ]; then
    echo "postgresql: not installed" >"$RESULTS/postgresql.missing"
else
    echo "$pg_rc" >"$RESULTS/postgresql.rc"
fi

"$PY" - "$RESULTS" "${REQUIRE_POSTGRES:-0}" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results, require_postgres = Path(sys.argv[1]), sys.argv[2] == "1"
ok = True
passed_total = failed_total = 0
print("\n=== summary ===")
for name in ("sqlite", "postgresql"):
    if (results / f"{name}.missing").exists():
        if require_postgres:
            print(f"{name}: MISSING (REQUIRE_POSTGRES=1): FAILED")
            ok = False
            failed_total += 1
        else:
            print(f"{name}: skipped (no PostgreSQL server binaries)")
        continue
    rc = int((results / f"{name}.rc").read_text())
    xml = results / f"{name}.xml"
    tests = failures = errors = skipped = 0
    if xml.exists():
        for suite in ET.parse(xml).getroot().iter("testsuite"):
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0))
            errors += int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
    passed = tests - failures - errors - skipped
    failed = failures + errors
    good = rc == 0 and passed > 0
    ok = ok and good
    passed_total += passed
    failed_total += failed + (0 if good or failed else 1)
    print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped: {'OK' if good else f'FAILED (pytest exit {rc})'}")
print(f"total: {passed_total} passed, {failed_total} failed")
sys.exit(0 if ok else 1)
PYEOF
