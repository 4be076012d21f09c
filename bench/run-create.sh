#!/usr/bin/env bash
# Ticket creation on a fresh database with the demo desk, for each client count, REPEATS times.
# usage: bench/run-create.sh [sqlite|postgres] [REPEATS] [SECONDS] [CLIENTS...]
set -euo pipefail
provider=${1:-sqlite}; repeats=${2:-3}; seconds=${3:-20}; shift $(( $# < 3 ? $# : 3 )) || true
clients=("$@"); [ ${#clients[@]} -eq 0 ] && clients=(8 16 32 64)
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
work=${WORK:-/tmp/guichet-bench}; mkdir -p "$work"; cd "$work"
pgconn="Host=127.0.0.1;Port=5432;Database=guichet_bench_create;Username=guichet;Password=guichet"
export Logging__LogLevel__Default=Warning Guichet__AdminPassword=Bench-admin-2026

fresh() {
  if [ "$provider" = postgres ]; then
    export Database__Provider=Postgres ConnectionStrings__Guichet="$pgconn"
    psql -q "postgresql://guichet:guichet@127.0.0.1:5432/postgres" -c "DROP DATABASE IF EXISTS guichet_bench_create" -c "CREATE DATABASE guichet_bench_create OWNER guichet"
  else
    rm -rf "$work/data"
  fi
}

for c in "${clients[@]}"; do
  for r in $(seq 1 "$repeats"); do
    fresh
    token=$(dotnet "$app" token create --email camille.martin@guichet.local 2>/dev/null)
    dotnet "$app" --urls http://127.0.0.1:5080 > "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5080/alive > /dev/null && break; sleep 0.2; done
    dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients "$c" --seconds "$seconds" --warmup 3 | grep -E '^(RESULT|errors)'
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
