#!/usr/bin/env bash
# Ticket creation on a fresh database with the demo desk: REPEATS times, each on a new database and server that is
# first warmed up (the JIT needs a while to reach tier 1 on a busy 2-core machine), then each client count in turn.
# usage: bench/run-create.sh [sqlite|postgres] [REPEATS] [SECONDS] [CLIENTS...]
set -euo pipefail
provider=${1:-sqlite}; repeats=${2:-3}; seconds=${3:-15}; shift $(( $# < 3 ? $# : 3 )) || true
clients=("$@"); [ ${#clients[@]} -eq 0 ] && clients=(8 16 32 64)
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
work=${WORK:-/tmp/guichet-bench-create}; mkdir -p "$work"; cd "$work"
export Logging__LogLevel__Default=Warning Guichet__AdminPassword=Bench-admin-2026
if [ "$provider" = postgres ]; then
  export Database__Provider=Postgres ConnectionStrings__Guichet="Host=127.0.0.1;Port=5432;Database=guichet_bench_create;Username=guichet;Password=guichet"
fi
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null || true' EXIT
for r in $(seq 1 "$repeats"); do
  if [ "$provider" = postgres ]; then
    psql -q "postgresql://guichet:guichet@127.0.0.1:5432/postgres" -c "DROP DATABASE IF EXISTS guichet_bench_create" -c "CREATE DATABASE guichet_bench_create OWNER guichet"
  else
    rm -rf "$work/data"
  fi
  token=$(dotnet "$app" token create --email camille.martin@guichet.local 2>/dev/null | tail -1)
  dotnet "$app" --urls http://127.0.0.1:5080 > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5080/alive > /dev/null && break; sleep 0.2; done
  dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients 8 --seconds "${WARMUP:-45}" --warmup 0 > /dev/null
  for c in "${clients[@]}"; do
    echo "repeat=$r load=$(cut -d' ' -f1 /proc/loadavg) $(dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients "$c" --seconds "$seconds" --warmup 3 | grep -E '^RESULT')"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
