#!/usr/bin/env bash
# Ticket creation with the server's CPU per ticket: a fresh database with the demo desk, a server warmed up for WARMUP
# seconds, then CLIENTS clients for SECONDS; prints the generator's RESULT line and the CPU time (user + system) the
# server and the generator spent per ticket created. CPU per ticket moves less with the machine's load than tickets/s.
# usage: bench/create-cpu.sh [sqlite|postgres] [CLIENTS] [SECONDS]      (ROOT=another checkout to measure that build)
set -euo pipefail
provider=${1:-sqlite}; c=${2:-8}; s=${3:-15}
here=$(cd "$(dirname "$0")" && pwd)
root=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
work=${WORK:-/tmp/guichet-create-cpu}; rm -rf "$work"; mkdir -p "$work"; cd "$work"
export Logging__LogLevel__Default=Warning Guichet__AdminPassword=Bench-admin-2026
if [ "$provider" = postgres ]; then
  export Database__Provider=Postgres ConnectionStrings__Guichet="Host=127.0.0.1;Port=5432;Database=guichet_bench_cpu;Username=guichet;Password=guichet"
  psql -q "postgresql://guichet:guichet@127.0.0.1:5432/postgres" -c "DROP DATABASE IF EXISTS guichet_bench_cpu" -c "CREATE DATABASE guichet_bench_cpu OWNER guichet" 2>/dev/null
fi
. "$here/demo-server.sh"
start_demo_server "${WARMUP:-30}"
cpu() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo "$2"; }
t0=$(cpu $server 0)
dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients "$c" --seconds "$s" --warmup 0 > "$work/out.txt" &
gen=$!; sleep 0.5; g0=$(cpu $gen 0); g=$g0
while kill -0 $gen 2>/dev/null; do g=$(cpu $gen "$g"); sleep 0.5; done
t1=$(cpu $server 0)
result=$(grep RESULT "$work/out.txt"); count=$(echo "$result" | sed 's/.*count=\([0-9]*\).*/\1/')
hz=$(getconf CLK_TCK)
echo "$result"
awk -v s=$((t1 - t0)) -v g=$((g - g0)) -v n="$count" -v hz="$hz" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  'BEGIN { printf "CPU provider='"$provider"' load=%s server_ms_per_ticket=%.2f generator_ms_per_ticket=%.2f\n", load, s * 1000 / hz / n, g * 1000 / hz / n }'
