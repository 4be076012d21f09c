#!/usr/bin/env bash
# Chat delivery latency and memory per connection (see bench/README.md, "Chat delivery").
# usage: bench/run-chat.sh [CHATS=250] [SECONDS=60] [INTERVAL_MS=10000]
#   CHATS chats = 2×CHATS hub connections (a visitor and its own agent per chat); every connection sends one message
#   per INTERVAL_MS (random phase) for SECONDS. Set NO_BUILD=1 to skip the Release builds.
# Run it on a quiet machine: the numbers are only worth the load average printed with them.
set -euo pipefail
chats=${1:-250}; seconds=${2:-60}; interval=${3:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${NO_BUILD:-0}" != 1 ]; then
  dotnet build -c Release "$root/src/Guichet" -v quiet -nologo > /dev/null
  dotnet build -c Release "$root/bench/Guichet.ChatBench" -v quiet -nologo > /dev/null
fi
echo "chat bench: $chats chats ($((chats * 2)) connections), ${seconds} s, one message per ${interval} ms per connection;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exec dotnet "$root/bench/Guichet.ChatBench/bin/Release/net10.0/Guichet.ChatBench.dll" "$chats" "$seconds" "$interval"
