# Sourced by bench/create-cpu.sh and bench/create-alloc.sh: a server on a fresh demo desk in the current directory, with
# the token of L1 agent Camille Martin, warmed up by 8 clients creating tickets for $1 seconds.
# Needs $app, $bench and $work; sets $token and $server (killed when the script exits).
start_demo_server() {
  token=$(dotnet "$app" token create --email camille.martin@guichet.local 2>/dev/null | tail -1)
  dotnet "$app" --urls http://127.0.0.1:5080 > "$work/server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5080/alive > /dev/null && break; sleep 0.2; done
  dotnet "$bench" create --url http://127.0.0.1:5080 --token "$token" --clients 8 --seconds "$1" --warmup 0 > /dev/null
}
