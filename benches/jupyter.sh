#!/usr/bin/env bash
# Schemathesis and conform side by side on a real target: Jupyter Server 2.21.1, from the
# Swagger 2.0 document it ships (jupyter_server/services/api/api.yaml).
#
# Each tool run gets a fresh Jupyter (empty root, home and runtime folders, 127.0.0.1, a free
# port, token auth) so that no tool sees the other's leftovers. Printed per tool (median of
# RUNS runs, default 3): wall time, requests sent (counted by the server, from Jupyter's DEBUG
# request log, the same way for both tools; and as each tool's own report counts them),
# distinct server errors (endpoint + 5xx status, from each tool's own report) and failures
# reported. Three runs of conform: as a user would first type it, and with placeholder `--var`
# values for the path parameters (which conform otherwise leaves to the operator and skips).
#
#   benches/jupyter.sh            # RUNS=1 for a quick look; CONFORM=path skips the release build
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
TP="$TARGET/third-party"
RUNS="${RUNS:-3}"
TOKEN="bench-token-$$"
OUT="$TP/jupyter-bench"
rm -rf "$OUT"
mkdir -p "$OUT"

# venv NAME PACKAGE CHECK: a venv under target/third-party holding PACKAGE (made in a temporary
# folder and renamed, so that a half-made one is never used).
venv() {
  local dir="$TP/$1"
  if ! "$dir/bin/python" -c "$3" 2>/dev/null; then
    echo "== installing $2 into $dir" >&2
    local tmp
    tmp="$(mktemp -d "$TP/.$1-XXXXXX")"
    python3 -m venv "$tmp"
    "$tmp/bin/python" -m pip install --quiet --disable-pip-version-check "$2"
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  echo "$dir"
}
mkdir -p "$TP"
JV="$(venv jupyter-venv jupyter_server==2.21.1 'import jupyter_server, yaml; assert jupyter_server.__version__ == "2.21.1"')"
SV="$(venv schemathesis-venv schemathesis==4.32.5 'import schemathesis; assert schemathesis.__version__ == "4.32.5"')"
# The Schemathesis venv was made elsewhere and moved: call `st` through its python.
ST=("$SV/bin/python" -m schemathesis.cli)
if [ -z "${CONFORM:-}" ]; then
  echo "== cargo build --release" >&2
  cargo build --release --quiet
  CONFORM="$TARGET/release/conform"
fi

API="$("$JV/bin/python" -c 'import jupyter_server.services.api as a, os; print(os.path.join(os.path.dirname(a.__file__), "api.yaml"))')"
DOC="$API"
if ! "$CONFORM" list --openapi "$API" >/dev/null 2>&1; then
  # conform reads JSON until its YAML reader lands: the same document as JSON.
  DOC="$OUT/jupyter.json"
  "$JV/bin/python" -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' "$API" "$DOC"
fi
echo "document: $API (conform reads $DOC)" >&2

JPID=""
stop_jupyter() {
  if [ -n "$JPID" ]; then
    kill -TERM -- "-$JPID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$JPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$JPID" 2>/dev/null || true
    wait "$JPID" 2>/dev/null || true
    JPID=""
  fi
}
trap stop_jupyter EXIT

# start_jupyter DIR: a fresh Jupyter whose folders and log are in DIR; sets PORT and JPID.
start_jupyter() {
  local dir="$1"
  mkdir -p "$dir/root" "$dir/home"
  PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  HOME="$dir/home" JUPYTER_CONFIG_DIR="$dir/home/config" JUPYTER_DATA_DIR="$dir/home/data" \
    JUPYTER_RUNTIME_DIR="$dir/home/runtime" \
    setsid "$JV/bin/python" -m jupyter_server --allow-root --no-browser --ip=127.0.0.1 \
    --port="$PORT" --ServerApp.port_retries=0 --IdentityProvider.token="$TOKEN" \
    --ServerApp.root_dir="$dir/root" --ServerApp.log_level=DEBUG \
    </dev/null >"$dir/jupyter.log" 2>&1 &
  JPID=$!
  for _ in $(seq 300); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api" || true)" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "Jupyter did not start; its log:" >&2
  cat "$dir/jupyter.log" >&2
  exit 2
}

# measure TOOL DIR SECONDS: one line of JSON with the run's figures.
measure() {
  "$JV/bin/python" - "$1" "$2" "$3" "$DOC" <<'EOF'
import glob, json, re, sys, yaml
tool, d, secs, doc = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
paths = yaml.safe_load(open(doc))["paths"]
def template(method, path):
    for t in paths:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", re.escape(t).replace(r"\{", "{").replace(r"\}", "}")), path):
            return f"{method} {t}"
    return f"{method} {path}"
# Requests the server saw, from its request log (the ready-probe GETs /api before the tool runs).
log = open(f"{d}/jupyter.log", errors="replace").read()
seen = [m for m in re.findall(r"\] (\d{3}) ([A-Z]+) (/\S*) \(", log)]
server_requests = len(seen) - sum(1 for s, m, p in seen if m == "GET" and p == "/api")
server_5xx = sorted({f"{template(m, p.split('?')[0])} {s}" for s, m, p in seen if s.startswith("5")})
if tool == "schemathesis":
    har = json.load(open(glob.glob(f"{d}/st/har-*.json")[0]))
    entries = har["log"]["entries"]
    own_requests = len(entries)
    from urllib.parse import urlparse
    errors = sorted({f"{template(e['request']['method'], urlparse(e['request']['url']).path)} {e['response']['status']}"
                     for e in entries if e["response"]["status"] >= 500})
    rep = json.load(open(glob.glob(f"{d}/st/json-*.json")[0]))
    failures = rep["test_cases"]["unique_failures"]
    detail = {f["code"] + " " + f["title"]: f["count"] for f in rep["failures"]}
else:
    rep = json.load(open(f"{d}/report/report.json"))
    steps = [s for c in rep["cases"] for s in c["steps"]]
    own_requests = len(steps)
    errors = sorted({f"{s['endpoint']} {s['response']['status']}" for s in steps
                     if s.get("response") and (s["response"].get("status") or 0) >= 500})
    failures = len(rep["failure_groups"])
    detail = {"failed cases": rep["summary"]["failed"], "skipped cases": rep["summary"]["skipped"],
              "advisories": rep["summary"]["advisories"]}
print(json.dumps({"tool": tool, "seconds": round(secs, 2), "server_requests": server_requests,
                  "own_requests": own_requests, "server_errors": errors, "server_5xx_log": server_5xx,
                  "failures": failures, "detail": detail}))
EOF
}

VARS=(--var path=0 --var section_name=0 --var checkpoint_id=0 --var terminal_id=0
      --var kernel_id=e3e70682-c209-4cac-a29f-6fbed82c07cd --var session=e3e70682-c209-4cac-a29f-6fbed82c07cd)
for run in $(seq "$RUNS"); do
  for tool in schemathesis conform conform-vars; do
    d="$OUT/$tool-$run"
    start_jupyter "$d"
    t0=$(date +%s.%N)
    case "$tool" in
      schemathesis)
        "${ST[@]}" run "$API" --url "http://127.0.0.1:$PORT" -H "Authorization: token $TOKEN" \
          --checks all --max-examples 20 --report har,junit,json --report-dir "$d/st" \
          >"$d/out.txt" 2>&1 || true ;;
      conform)
        "$CONFORM" run --openapi "$DOC" --base-url "http://127.0.0.1:$PORT" \
          -H "Authorization: token $TOKEN" --report-dir "$d/report" >"$d/out.txt" 2>&1 || true ;;
      conform-vars)
        "$CONFORM" run --openapi "$DOC" --base-url "http://127.0.0.1:$PORT" \
          -H "Authorization: token $TOKEN" "${VARS[@]}" --report-dir "$d/report" >"$d/out.txt" 2>&1 || true ;;
    esac
    t1=$(date +%s.%N)
    stop_jupyter
    measure "${tool%-vars}" "$d" "$(echo "$t1 - $t0" | bc)" | sed "s/\"tool\": \"conform\"/\"tool\": \"$tool\"/" >>"$OUT/results.jsonl"
    echo "run $run $tool done" >&2
  done
done

python3 - "$OUT/results.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'tool':<14} {'wall s':>7} {'requests (server)':>18} {'requests (own)':>15} {'5xx distinct':>13} {'failures':>9}")
for tool in ["schemathesis", "conform", "conform-vars"]:
    rs = [r for r in rows if r["tool"] == tool]
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"{tool:<14} {med('seconds'):>7.2f} {med('server_requests'):>18.0f} {med('own_requests'):>15.0f} "
          f"{statistics.median(len(r['server_errors']) for r in rs):>13.0f} {med('failures'):>9.0f}")
for tool in ["schemathesis", "conform", "conform-vars"]:
    rs = [r for r in rows if r["tool"] == tool]
    union = sorted({e for r in rs for e in r["server_errors"]})
    print(f"\n{tool}: server errors over {len(rs)} runs (endpoint status: runs that found it)")
    for e in union:
        print(f"  {e}: {sum(e in r['server_errors'] for r in rs)}/{len(rs)}")
    print(f"  report detail (last run): {rs[-1]['detail']}")
EOF
