#!/usr/bin/env bash
# Times whole commands as a user runs them, side by side in one run, and records the medians.
#   bench/startup.sh [RUNS]          default 15 runs each, after 3 warm-up runs
# Compared: `corc --help` and `corc job run --wait` of a trivial job (through ./corc, i.e. with the launcher's
# flags and CDS archive), the same --help as a bare `java -jar` (no tuning), and `aws --version` (Debian's
# awscli) as the reference a user knows. Results: bench/results/startup.md (appended) and startup-latest.json.
set -euo pipefail
runs="${1:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results"
mkdir -p "$results"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export CORC_HOME="$home"

"$root/corc" --version >/dev/null   # builds the jar and the CDS archive if missing
if [[ ! -x /usr/bin/aws ]]; then
    echo "bench: installing Debian's awscli for the reference timing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends awscli >/dev/null
fi

# median_ms NAME COMMAND...: runs COMMAND (warm-up 3, then $runs), prints "NAME median min max" in ms.
# Uses hyperfine (Debian package) when present, else a plain loop timed with date.
median_ms() {
    local name="$1"; shift
    if command -v hyperfine >/dev/null; then
        local json="$home/$name.json" cmd
        printf -v cmd '%q ' "$@"
        hyperfine -N -w 3 -r "$runs" --export-json "$json" "$cmd" >/dev/null 2>&1
        awk -v name="$name" -F'[:,]' '
            /"median"/ { m = $2 } /"min"/ { lo = $2 } /"max"/ { hi = $2 }
            END { printf "%s %d %d %d\n", name, m * 1000, lo * 1000, hi * 1000 }' "$json"
        return
    fi
    local i start end samples=()
    for i in 1 2 3; do "$@" >/dev/null 2>&1; done
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        samples+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk -v name="$name" '
        { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                             printf "%s %d %d %d\n", name, m, v[1], v[NR] }'
}

lines=()
lines+=("$(median_ms corc_help "$root/corc" --help)")
lines+=("$(median_ms java_jar_help java -jar "$root/cli/target/corc.jar" --help)")
lines+=("$(median_ms aws_version /usr/bin/aws --version)")
lines+=("$(median_ms corc_job_run_wait "$root/corc" job run --wait -- true)")

value() { printf '%s\n' "${lines[@]}" | awk -v n="$1" '$1 == n { print $2 }'; }
help=$(value corc_help); aws=$(value aws_version)
ratio=$(awk -v a="$help" -v b="$aws" 'BEGIN { printf "%.2f", a / b }')
verdict=$([[ "$help" -le 150 && $(awk -v r="$ratio" 'BEGIN { print (r <= 0.4) }') == 1 ]] && echo met || echo MISSED)

{
    echo "## $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(java -version 2>&1 | head -1)"
    echo
    echo "| command | median ms | min ms | max ms |"
    echo "|---|---|---|---|"
    printf '%s\n' "${lines[@]}" | awk '{ printf "| %s | %d | %d | %d |\n", $1, $2, $3, $4 }'
    echo
    echo "Target corc --help <= 150 ms and <= 0.4x aws --version: ${help} ms, ${ratio}x -> ${verdict} ($runs runs each)."
    echo
} | tee -a "$results/startup.md"

printf '%s\n' "${lines[@]}" | awk -v runs="$runs" -v ratio="$ratio" '
    BEGIN { printf "{\n  \"runs\": %d,\n  \"help_to_aws_ratio\": %s,\n  \"medians_ms\": {", runs, ratio }
    { printf "%s\n    \"%s\": %d", (NR > 1 ? "," : ""), $1, $2 }
    END { printf "\n  }\n}\n" }' > "$results/startup-latest.json"
