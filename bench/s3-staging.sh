#!/usr/bin/env bash
# Staging throughput, side by side in one run against the same local S3 server (`corc storage serve`, s3proxy
# on loopback backed by a directory): corc vs the AWS CLI (Debian's awscli, `aws s3 cp --recursive`) vs rclone
# (`rclone copy`), each with its default settings, for
#   (a) one 1 GiB file and (b) 10,000 files of 10 KiB, uploads and downloads.
# Every timed run starts clean (the objects or the local copy are removed first), so each tool moves everything.
# Runs are interleaved: each round times corc, aws and rclone once each (hyperfine -r 1, the order rotating from
# round to round), so a burst of load from elsewhere on the machine hits all three alike rather than one tool's
# whole series; the report gives each tool's median with the lowest and highest run, and the load average seen.
# Afterwards it checks interoperability: what corc uploaded, the AWS CLI downloads byte-identical, and vice versa.
#
#   bench/s3-staging.sh [ROUNDS]     default 3 rounds, data in $BENCH_WORK (/tmp/corc-bench-s3)
#   CORC_JAR=cli/target-x/corc.jar bench/s3-staging.sh   corc from that jar (a private build), with the launcher's
#                                    own JVM flags and class-data archive, instead of the one ./corc builds
#
# Results: bench/results/s3-staging.md (appended, with machine and versions) and s3-staging-latest.json.
set -euo pipefail
runs="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
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

# ---- corc and the server -------------------------------------------------------------------------------------
corc_cmd="$root/corc"
if [[ -n "${CORC_JAR:-}" ]]; then
    # the launcher, unchanged, in a directory of its own whose cli/target/corc.jar is a copy of that jar: same JVM
    # flags and class-data archive as ./corc, and no build of the shared tree
    launcher="$work/launcher"
    mkdir -p "$launcher/cli/target"
    cp "$root/corc" "$launcher/corc"
    cmp -s "$CORC_JAR" "$launcher/cli/target/corc.jar" || cp "$CORC_JAR" "$launcher/cli/target/corc.jar"
    corc_cmd="$launcher/corc"
fi
"$corc_cmd" --version >/dev/null   # builds the jar if needed
"$corc_cmd" storage serve --dir "$work/s3" --port 0 --bucket bench -o json >"$work/serve.json" 2>"$work/serve.log" &
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

aws_cmd="$aws --endpoint-url $endpoint s3 cp --recursive --quiet"
objects="$work/s3/bench"

# timed ROUND DIRECTION SET NAME COMMAND PREPARE: one run of one tool (hyperfine -r 1), its JSON kept per round
timed() {
    local round="$1" direction="$2" set="$3" name="$4" command="$5" prepare="$6"
    hyperfine -r 1 --export-json "$work/json/$set-$direction-$name-$round.json" --prepare "$prepare" \
        -n "$name" "$command" >&2
    echo "$set-$direction $name $round $(cut -d' ' -f1 /proc/loadavg)" >>"$work/json/load.txt"
}

# bench_set SET: times uploads, then downloads, of $data/SET by all three tools, interleaved round by round
bench_set() {
    local set="$1" direction round i
    local -a names=(corc aws rclone)
    for direction in up down; do
        for ((round = 1; round <= runs; round++)); do
            for ((i = 0; i < 3; i++)); do
                run_one "$round" "$direction" "$set" "${names[(i + round) % 3]}"
            done
        done
    done
}

# run_one ROUND DIRECTION SET TOOL
run_one() {
    local round="$1" direction="$2" set="$3" tool="$4"
    case "$direction-$tool" in
    up-corc) timed "$round" up "$set" corc "$corc_cmd storage put $data/$set s3://bench/corc-$set/" \
        "rm -rf $objects/corc-$set" ;;
    up-aws) timed "$round" up "$set" aws "$aws_cmd $data/$set s3://bench/aws-$set/" "rm -rf $objects/aws-$set" ;;
    up-rclone) timed "$round" up "$set" rclone "rclone copy $data/$set bench:bench/rclone-$set" \
        "rm -rf $objects/rclone-$set" ;;
    down-corc) timed "$round" down "$set" corc "$corc_cmd storage get s3://bench/corc-$set/ $work/dl/corc-$set" \
        "rm -rf $work/dl/corc-$set" ;;
    down-aws) timed "$round" down "$set" aws "$aws_cmd s3://bench/aws-$set/ $work/dl/aws-$set" \
        "rm -rf $work/dl/aws-$set" ;;
    down-rclone) timed "$round" down "$set" rclone "rclone copy bench:bench/rclone-$set $work/dl/rclone-$set" \
        "rm -rf $work/dl/rclone-$set" ;;
    esac
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
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/json" "$results" "$runs" "$interop" "$($aws --version 2>&1)" "$(rclone version | head -1)" \
    "$(java -version 2>&1 | head -1)" "$(nproc)" "$load_before" "$load_after" \
    "$(git -C "$root" rev-parse --short HEAD)" "${CORC_JAR:-}" <<'EOF'
import glob, json, os, statistics, sys, datetime
jdir, results, runs, interop, awsv, rclonev, javav, cores, load_before, load_after, commit, jar = sys.argv[1:13]
loads = [float(line.split()[3]) for line in open(os.path.join(jdir, "load.txt"))]
rows, latest = [], {}
for set_, label in (("big", "(a) 1 file of 1 GiB"), ("small", "(b) 10,000 files of 10 KiB")):
    for direction in ("up", "down"):
        t = {}
        for name in ("corc", "aws", "rclone"):
            times = []
            for path in sorted(glob.glob(os.path.join(jdir, "%s-%s-%s-*.json" % (set_, direction, name)))):
                times += json.load(open(path))["results"][0]["times"]
            t[name] = times
        med = {n: statistics.median(v) for n, v in t.items()}
        best = min(med["aws"], med["rclone"])
        latest["%s-%s" % (set_, direction)] = {n: {"median_s": med[n], "min_s": min(v), "max_s": max(v),
                                                   "runs_s": v} for n, v in t.items()}
        fmt = lambda n: "%.2f (%.2f–%.2f)" % (med[n], min(t[n]), max(t[n]))
        rows.append("| %s | %s | %s | %s | %s | %.2fx | %.2fx |" % (
            label, "upload" if direction == "up" else "download", fmt("corc"), fmt("aws"), fmt("rclone"),
            best / med["corc"], med["aws"] / med["corc"]))
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
md = ["", "## %s" % stamp, "",
      "%s cores; %s; %s; %s; corc at %s%s; %d interleaved rounds (median, lowest–highest run, seconds); server: "
      "`corc storage serve` (s3proxy) on loopback. Load average (1, 5, 15 min) %s before, %s after; 1-min load at "
      "the timed runs %.1f–%.1f (median %.1f)."
      % (cores, javav, awsv.split()[0], rclonev, commit, " with CORC_JAR=" + jar if jar else "", int(runs),
         load_before, load_after, min(loads), max(loads), statistics.median(loads)), "",
      "| data | direction | corc | aws s3 cp | rclone copy | speed-up vs the faster other | vs aws |",
      "|---|---|---|---|---|---|---|"] + rows + ["", "Interoperability (aws reads corc's objects and corc reads aws's, byte-identical): %s" % interop, ""]
path = os.path.join(results, "s3-staging.md")
if not os.path.exists(path):
    open(path, "w").write("# S3 staging throughput\n\nReproduce with `bench/s3-staging.sh [ROUNDS]` (needs hyperfine, rclone, awscli from Debian).\n")
open(path, "a").write("\n".join(md))
latest["interop"] = interop
latest["load"] = {"before": load_before, "after": load_after, "at_runs": loads}
json.dump(latest, open(os.path.join(results, "s3-staging-latest.json"), "w"), indent=2)
print("\n".join(md))
EOF
