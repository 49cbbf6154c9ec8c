#!/usr/bin/env bash
# Side by side: conform and Schemathesis against the same reference server (tss contract),
# requests per second for each and the ratio. Release build; needs `pip install schemathesis`.
# Usage: bash benches/schemathesis.sh [RUNS]   (median of RUNS, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v st >/dev/null || pip install -q schemathesis
cargo build --release -q
bin=target/release/conform
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server() {
  rm -f "$tmp/target.toml"
  "$bin" serve --port "$port" --config-out "$tmp/target.toml" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 200); do [ -f "$tmp/target.toml" ] && break; sleep 0.05; done
}
stop_server() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }

"$bin" export openapi --contract tss -o "$tmp/tss.json"
conform_rps=(); st_rps=(); conform_req=0; st_req=0
for i in $(seq "$runs"); do
  start_server
  python3 - "$tmp/target.toml" "$tmp/tss.toml" <<'PY'
import sys, tomllib
cfg = tomllib.load(open(sys.argv[1], "rb"))
out = ["[tss]"] + [f'{k} = {repr(v) if not isinstance(v, str) else chr(34) + v + chr(34)}' for k, v in cfg["tss"].items()]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
  t0=$(date +%s.%N)
  chmod 600 "$tmp/tss.toml"
  "$bin" run --config "$tmp/tss.toml" --report-dir "$tmp/conform" -q >/dev/null || true
  t1=$(date +%s.%N)
  conform_req=$(python3 -c "import json,sys; r=json.load(open('$tmp/conform/report.json')); print(sum(1 for c in r['cases'] for s in c['steps'] if s.get('response')))")
  conform_rps+=("$(python3 -c "print($conform_req/($t1-$t0))")")
  stop_server

  start_server
  token=$(python3 -c "import tomllib; print(tomllib.load(open('$tmp/target.toml','rb'))['tss']['token'])")
  base=$(python3 -c "import tomllib; print(tomllib.load(open('$tmp/target.toml','rb'))['tss']['base_url'])")
  rm -rf "$tmp/st"
  t0=$(date +%s.%N)
  # From the temp dir: st keeps a cache folder in the current directory.
  (cd "$tmp" && st run "$tmp/tss.json" --url "$base" -H "Authorization: Bearer $token" --max-examples 80 \
    --report har --report-dir "$tmp/st" >/dev/null 2>&1) || true
  t1=$(date +%s.%N)
  st_req=$(python3 -c "import json,glob; print(sum(len(json.load(open(f))['log']['entries']) for f in glob.glob('$tmp/st/*.json')))")
  st_rps+=("$(python3 -c "print($st_req/($t1-$t0))")")
  stop_server
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${conform_rps[@]}"); s=$(median "${st_rps[@]}")
echo "conform:      $conform_req requests per run, median $(printf %.0f "$c") requests/s over $runs runs (process start included)"
echo "schemathesis: $st_req requests per run, median $(printf %.0f "$s") requests/s over $runs runs (--max-examples 80, process start included)"
echo "ratio: $(python3 -c "print(f'{$c/$s:.1f}')")x"
