#!/usr/bin/env bash
# Where ticket creation allocates: a fresh demo desk, a server warmed up for WARMUP seconds, then 8 clients while
# dotnet-trace records GC allocation ticks for SECONDS; prints tickets created and Guichet.AllocTop's summary (bytes by
# type and by frame; divide "sampled" by the tickets created in the traced seconds for the bytes per ticket).
# usage: bench/create-alloc.sh [SECONDS] [FRAME-FILTER]     (ROOT=another checkout; DOTNET_TRACE=path of dotnet-trace)
#   dotnet tool install dotnet-trace --tool-path /tmp/dtools
set -euo pipefail
s=${1:-10}; filter=${2:-Guichet.}
root=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
here=$(cd "$(dirname "$0")" && pwd)
app="$root/src/Guichet/bin/Release/net10.0/Guichet.dll"
bench="$root/bench/Guichet.Bench/bin/Release/net10.0/Guichet.Bench.dll"
trace=${DOTNET_TRACE:-/tmp/dtools/dotnet-trace}
work=${WORK:-/tmp/guichet-create-alloc}; rm -rf "$work"; mkdir -p "$work"; cd "$work"
export Logging__LogLevel__Default=Warning Guichet__AdminPassword=Bench-admin-2026
. "$here/demo-server.sh"
start_demo_server "${WARMUP:-15}"
dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients 8 --seconds $((s + 3)) --warmup 0 > "$work/out.txt" &
gen=$!
sleep 1
"$trace" collect -p $server --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration "00:00:00:$s" -o "$work/alloc.nettrace" > "$work/trace.log" 2>&1
wait $gen
grep RESULT "$work/out.txt"
dotnet "$here/Guichet.AllocTop/bin/Release/net10.0/Guichet.AllocTop.dll" "$work/alloc.nettrace" "$filter" 40
