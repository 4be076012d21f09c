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
dovecot_dir=""
cleanup() {
  if [ -n "$started_pg" ]; then as_root pg_ctlcluster "$started_pg" main stop || true; fi
  if [ -n "$dovecot_dir" ]; then
    if [ -f "$dovecot_dir/base/master.pid" ]; then as_root kill "$(cat "$dovecot_dir/base/master.pid")" || true; fi
    as_root rm -rf "$dovecot_dir"
  fi
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

# --- Dovecot IMAP (a private instance on 127.0.0.1:10143, config in a temp folder) -------------
if [ ! -x /usr/sbin/dovecot ]; then
  echo "== installing Dovecot"
  install_packages dovecot-imapd
fi
id vmail >/dev/null 2>&1 || as_root useradd -r -M -s /usr/sbin/nologin vmail
dovecot_dir=$(mktemp -d /tmp/guichet-dovecot.XXXXXX)
chmod 755 "$dovecot_dir"
mkdir -p "$dovecot_dir/mail" "$dovecot_dir/base" "$dovecot_dir/state"
as_root chown vmail:vmail "$dovecot_dir/mail"
imap_port=10143
echo "helpdesk@test.local:{PLAIN}imap-secret" > "$dovecot_dir/users"
cat > "$dovecot_dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $dovecot_dir/base
state_dir = $dovecot_dir/state
log_path = $dovecot_dir/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:$dovecot_dir/mail/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dovecot_dir/users
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$dovecot_dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
}
EOF
echo "== starting Dovecot on 127.0.0.1:$imap_port"
as_root /usr/sbin/dovecot -c "$dovecot_dir/dovecot.conf"
export GUICHET_TEST_IMAP="127.0.0.1:$imap_port" GUICHET_TEST_IMAP_USER="helpdesk@test.local" GUICHET_TEST_IMAP_PASSWORD="imap-secret"

# --- Chromium for the browser tests (Playwright drives Debian's build; its own download cannot work here) ----
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Chromium"
  install_packages chromium
fi

# --- the suite, twice ----------------------------------------------------------------------
dotnet build Guichet.slnx -c Release -nologo -clp:ErrorsOnly
log=$(mktemp)
status=0
echo "== tests on SQLite"
GUICHET_TEST_DB=sqlite dotnet test tests/Guichet.Tests -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1
# The browser tests alone: run beside the HTTP suite, two cores shared with Chromium make every wait a race.
echo "== browser tests (Chromium)"
GUICHET_TEST_DB=sqlite dotnet test tests/Guichet.BrowserTests -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1
echo "== tests on PostgreSQL"
GUICHET_TEST_DB=postgres dotnet test tests/Guichet.Tests -c Release --no-build -nologo 2>&1 | tee -a "$log" || status=1

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
exit $status
