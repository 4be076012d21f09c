#!/usr/bin/env bash
# The read mix against an already seeded database (see bench/README.md), REPEATS times.
# usage: bench/run-read.sh [sqlite|postgres] [REPEATS] [SECONDS] [CLIENTS] [EMAIL]
# SQLite: run from the directory whose data/ holds the seeded guichet.db (or set WORK).
set -euo pipefail
provider=${1:-sqlite}; repeats=${2:-3}; seconds=${3:-20}; clients=${4:-16}; email=${5:-admin@guichet.local}
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
cd "${WORK:-$PWD}"
export Logging__LogLevel__Default=Warning Guichet__DemoData=false
if [ "$provider" = postgres ]; then
  export Database__Provider=Postgres ConnectionStrings__Guichet="Host=127.0.0.1;Port=5432;Database=${PGDB:-guichet_bench_1m};Username=guichet;Password=guichet"
fi
token=$(dotnet "$app" token create --email "$email" 2>/dev/null)
dotnet "$app" --urls http://127.0.0.1:5080 > server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5080/alive > /dev/null && break; sleep 0.2; done
for r in $(seq 1 "$repeats"); do
  dotnet "$bench" read --url http://127.0.0.1:5080 --token "$token" --clients "$clients" --seconds "$seconds" --warmup 3 | grep -E '^(RESULT|errors|  )'
done
