#!/usr/bin/env bash
# Runs the whole test suite: on SQLite, then again on a real PostgreSQL.
# Installs PostgreSQL from Debian's packages when it is missing, starts it when it is down, and stops
# at the end what it started. Run as root (as CI does) or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
install_packages() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

started_pg=""
cleanup() {
  if [ -n "$started_pg" ]; then as_root pg_ctlcluster "$started_pg" main stop || true; fi
}
trap cleanup EXIT

# --- PostgreSQL ---------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "== installing PostgreSQL"
  install_packages postgresql
fi
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main"' | grep -q .; then
  as_root pg_createcluster "$pg_version" main >/dev/null
fi
if pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $4}' | grep -q down; then
  echo "== starting PostgreSQL $pg_version"
  as_root pg_ctlcluster "$pg_version" main start
  started_pg="$pg_version"
fi
pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $3}')
for _ in $(seq 1 30); do
  as_root su postgres -c "psql -p $pg_port -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
as_root su postgres -c "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='guichet'\"" | grep -q 1 \
  || as_root su postgres -c "psql -p $pg_port -qc \"CREATE ROLE guichet LOGIN SUPERUSER PASSWORD 'guichet'\""
export GUICHET_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=guichet;Password=guichet"

# --- the suite, twice ----------------------------------------------------------------------
dotnet build Guichet.slnx -c Release -nologo -clp:ErrorsOnly
log=$(mktemp)
status=0
echo "== tests on SQLite"
GUICHET_TEST_DB=sqlite dotnet test Guichet.slnx -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1
echo "== tests on PostgreSQL"
GUICHET_TEST_DB=postgres dotnet test tests/Guichet.Tests -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
exit $status
