#!/usr/bin/env bash
# Staging throughput, side by side in one run against the same local S3 server (`corc storage serve`, s3proxy
# on loopback backed by a directory): corc vs the AWS CLI (Debian's awscli, `aws s3 cp --recursive`) vs rclone
# (`rclone copy`), each with its default settings, for
#   (a) one 1 GiB file and (b) 10,000 files of 10 KiB, uploads and downloads.
# Every timed run starts clean (the objects or the local copy are removed first), so each tool moves everything.
# Afterwards it checks interoperability: what corc uploaded, the AWS CLI downloads byte-identical, and vice versa.
#
#   bench/s3-staging.sh [RUNS]       default 3 runs per command (hyperfine), data in $BENCH_WORK (/tmp/corc-bench-s3)
#
# Results: bench/results/s3-staging.md (appended, with machine and versions) and s3-staging-latest.json.
set -euo pipefail
runs="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results"
work="${BENCH_WORK:-/tmp/corc-bench-s3}"
mkdir -p "$results" "$work"
export CORC_HOME="$work/home"
rm -rf "$CORC_HOME" "$work/s3" "$work/dl" "$work/json"
mkdir -p "$CORC_HOME" "$work/dl" "$work/json"
# rclone refuses an AWS_CA_BUNDLE with a plain-HTTP endpoint; nothing here uses TLS
unset AWS_CA_BUNDLE

for tool in hyperfine rclone python3; do
    command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 2; }
done
aws=/usr/bin/aws
[[ -x $aws ]] || { echo "bench: needs Debian's awscli at /usr/bin/aws (apt-get install awscli)" >&2; exit 2; }

# ---- data ----------------------------------------------------------------------------------------------------
data="$work/data"
if [[ ! -f "$data/big/one.bin" || ! -f "$data/small/d9/f9999.dat" ]]; then
    echo "bench: creating 1 GiB and 10,000 x 10 KiB of random data in $data" >&2
    rm -rf "$data"
    mkdir -p "$data/big"
    head -c $((1024 * 1024 * 1024)) /dev/urandom >"$data/big/one.bin"
    python3 - "$data/small" <<'EOF'
import os, sys
root = sys.argv[1]
for i in range(10000):
    d = os.path.join(root, "d%d" % (i // 1000))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d.dat" % i), "wb") as f:
        f.write(os.urandom(10240))
EOF
fi

# ---- server --------------------------------------------------------------------------------------------------
"$root/corc" --version >/dev/null   # builds the jar if needed
"$root/corc" storage serve --dir "$work/s3" --port 0 --bucket bench -o json >"$work/serve.json" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q endpoint "$work/serve.json" 2>/dev/null && break
    sleep 0.2
done
endpoint=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$work/serve.json")
credentials="$CORC_HOME/serve/credentials"
echo "bench: server at $endpoint, credentials in $credentials" >&2

cat >"$CORC_HOME/config.yaml" <<EOF
corc:
  storage:
    backend: s3
    endpoint: $endpoint
    s3:
      credentials_file: $credentials
      config_file: $CORC_HOME/none
      name: corc-serve
      bucket_name: bench
EOF
export AWS_SHARED_CREDENTIALS_FILE="$credentials" AWS_PROFILE=corc-serve AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$CORC_HOME/none"
# rclone takes its remote from the environment; the keys are read from the file, never printed
eval "$(python3 - "$credentials" "$endpoint" <<'EOF'
import configparser, shlex, sys
c = configparser.ConfigParser(); c.read(sys.argv[1]); p = c["corc-serve"]
for k, v in {"TYPE": "s3", "PROVIDER": "Other", "ENDPOINT": sys.argv[2], "REGION": "us-east-1",
             "ACCESS_KEY_ID": p["aws_access_key_id"], "SECRET_ACCESS_KEY": p["aws_secret_access_key"]}.items():
    print("export RCLONE_CONFIG_BENCH_%s=%s" % (k, shlex.quote(v)))
EOF
)"

corc_cmd="$root/corc"
aws_cmd="$aws --endpoint-url $endpoint s3 cp --recursive --quiet"
objects="$work/s3/bench"

# bench_set SET: times uploads, then downloads, of $data/SET by all three tools
bench_set() {
    local set="$1"
    hyperfine -r "$runs" --export-json "$work/json/$set-up.json" \
        --prepare "rm -rf $objects/corc-$set" --prepare "rm -rf $objects/aws-$set" \
        --prepare "rm -rf $objects/rclone-$set" \
        -n corc "$corc_cmd storage put $data/$set s3://bench/corc-$set/" \
        -n aws "$aws_cmd $data/$set s3://bench/aws-$set/" \
        -n rclone "rclone copy $data/$set bench:bench/rclone-$set" >&2
    hyperfine -r "$runs" --export-json "$work/json/$set-down.json" \
        --prepare "rm -rf $work/dl/corc-$set" --prepare "rm -rf $work/dl/aws-$set" \
        --prepare "rm -rf $work/dl/rclone-$set" \
        -n corc "$corc_cmd storage get s3://bench/corc-$set/ $work/dl/corc-$set" \
        -n aws "$aws_cmd s3://bench/aws-$set/ $work/dl/aws-$set" \
        -n rclone "rclone copy bench:bench/rclone-$set $work/dl/rclone-$set" >&2
}
bench_set big
bench_set small

# ---- interoperability: each side reads what the other wrote, byte for byte ----------------------------------
interop=ok
for set in big small; do
    rm -rf "$work/dl/x-aws-$set" "$work/dl/x-corc-$set"
    $aws --endpoint-url "$endpoint" s3 cp --recursive --quiet "s3://bench/corc-$set/" "$work/dl/x-aws-$set" \
        --exclude .corc-manifest
    "$corc_cmd" storage get "s3://bench/aws-$set/" "$work/dl/x-corc-$set" >/dev/null
    diff -rq "$data/$set" "$work/dl/x-aws-$set" >&2 || interop="FAILED (aws reading corc's $set)"
    diff -rq "$data/$set" "$work/dl/x-corc-$set" >&2 || interop="FAILED (corc reading aws's $set)"
    diff -rq "$data/$set" "$work/dl/corc-$set" >&2 || interop="FAILED (corc round trip of $set)"
done

# ---- report --------------------------------------------------------------------------------------------------
python3 - "$work/json" "$results" "$runs" "$interop" "$($aws --version 2>&1)" "$(rclone version | head -1)" \
    "$(java -version 2>&1 | head -1)" "$(nproc)" <<'EOF'
import json, os, sys, datetime
jdir, results, runs, interop, awsv, rclonev, javav, cores = sys.argv[1:9]
rows, latest = [], {}
for set_, label in (("big", "(a) 1 file of 1 GiB"), ("small", "(b) 10,000 files of 10 KiB")):
    for direction in ("up", "down"):
        data = json.load(open(os.path.join(jdir, "%s-%s.json" % (set_, direction))))
        t = {r["command"]: r for r in data["results"]}
        corc, aws, rclone = (t[n]["mean"] for n in ("corc", "aws", "rclone"))
        best = min(aws, rclone)
        latest["%s-%s" % (set_, direction)] = {n: {"mean_s": t[n]["mean"], "stddev_s": t[n]["stddev"],
                                                   "min_s": t[n]["min"], "max_s": t[n]["max"]} for n in t}
        fmt = lambda n: "%.2f ± %.2f" % (t[n]["mean"], t[n]["stddev"] or 0.0)
        rows.append("| %s | %s | %s | %s | %s | %.2fx | %.2fx |" % (
            label, "upload" if direction == "up" else "download", fmt("corc"), fmt("aws"), fmt("rclone"),
            best / corc, aws / corc))
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
md = ["", "## %s" % stamp, "",
      "%s cores; %s; %s; %s; %d runs each (mean ± σ, seconds); server: `corc storage serve` (s3proxy) on loopback."
      % (cores, javav, awsv.split()[0], rclonev, int(runs)), "",
      "| data | direction | corc | aws s3 cp | rclone copy | speed-up vs the faster other | vs aws |",
      "|---|---|---|---|---|---|---|"] + rows + ["", "Interoperability (aws reads corc's objects and corc reads aws's, byte-identical): %s" % interop, ""]
path = os.path.join(results, "s3-staging.md")
if not os.path.exists(path):
    open(path, "w").write("# S3 staging throughput\n\nReproduce with `bench/s3-staging.sh [RUNS]` (needs hyperfine, rclone, awscli from Debian).\n")
open(path, "a").write("\n".join(md))
latest["interop"] = interop
json.dump(latest, open(os.path.join(results, "s3-staging-latest.json"), "w"), indent=2)
print("\n".join(md))
EOF
