#!/usr/bin/env bash
# The web UI's server render against an already seeded database (see bench/README.md): the admin signs in with a
# cookie, then REPEATS rounds over the client counts of half queue pages, half ticket pages with 50 timeline entries.
# usage: bench/run-pages.sh [sqlite|postgres] [REPEATS] [SECONDS] [CLIENTS...]
# SQLite: run from the directory whose data/ holds the seeded guichet.db (or set WORK).
set -euo pipefail
provider=${1:-sqlite}; repeats=${2:-3}; seconds=${3:-15}; shift $(( $# < 3 ? $# : 3 )) || true
clients=("$@"); [ ${#clients[@]} -eq 0 ] && clients=(1 8)
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
email=${EMAIL:-admin@guichet.local}
password=bench-pages-password
cd "${WORK:-$PWD}"
export Logging__LogLevel__Default=Warning Guichet__DemoData=false
if [ "$provider" = postgres ]; then
  export Database__Provider=Postgres ConnectionStrings__Guichet="Host=127.0.0.1;Port=5432;Database=${PGDB:-guichet_bench_1m};Username=guichet;Password=guichet"
fi
echo "$password" | dotnet "$app" password set --email "$email" > /dev/null
token=$(dotnet "$app" token create --email "$email" 2>/dev/null | tail -1)
dotnet "$app" --urls http://127.0.0.1:5080 > server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5080/alive > /dev/null && break; sleep 0.2; done
paths=(--queue-path "${QUEUE_PATH:-/desk/queue/all?group={group}}" --ticket-path "${TICKET_PATH:-/desk/tickets/{number}}")
dotnet "$bench" pages --url http://127.0.0.1:5080 --token "$token" --email "$email" --password "$password" "${paths[@]}" \
  --clients 8 --seconds "${WARMUP:-20}" --warmup 0 > /dev/null
for r in $(seq 1 "$repeats"); do
  for c in "${clients[@]}"; do
    dotnet "$bench" pages --url http://127.0.0.1:5080 --token "$token" --email "$email" --password "$password" "${paths[@]}" \
      --clients "$c" --seconds "$seconds" --warmup 2 | grep -E '^RESULT' | sed "s/^/repeat=$r load=$(cut -d' ' -f1 /proc/loadavg) /"
  done
done
