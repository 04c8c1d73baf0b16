#!/bin/sh
# One task of a McStas parameter scan run as a corc job: 16 tasks, ncount 1e6 1e7 1e8 1e9 x MPI processes 1..4.
#
#   corc job run --num-jobs 16 --cores 4 --input config-examples/mcstas/scan.sh -- sh input/scan.sh [INSTR] [P=V ...]
#
# Task i runs the (i / 4)-th ncount with the (i % 4)-th MPI process count:
#   task  0..3  : -n 1e6, 1 2 3 4 MPI processes      task  8..11 : -n 1e8, 1 2 3 4
#   task  4..7  : -n 1e7, 1 2 3 4                    task 12..15 : -n 1e9, 1 2 3 4
# and writes into $CORC_OUTPUT:
#   <instrument>_n<ncount>_mpi<N>/   mcrun's output directory (mccode.sim, the monitors' files)
#   params.json                      what was run: task, ncount, mpi, instrument, parameters, command, exit code
#
# The instrument, in this order: the first argument ending in .instr (a path, or a name under $CORC_INPUT);
# $MCSTAS_INSTR; the one *.instr among the inputs ($CORC_INPUT and one level below); templateSANS.instr from the
# McStas installation. Further arguments NAME=VALUE are the instrument's parameters (default: its own defaults).
#
# Environment: CORC_TASK_INDEX (required), CORC_OUTPUT (default ./output), CORC_INPUT (default ./input),
#   SCAN_NCOUNTS (default "1e6 1e7 1e8 1e9"), SCAN_MPI (default "1 2 3 4"),
#   MCSTAS_DRY_RUN=1 or the argument --dry-run: write params.json and the command, run nothing (no McStas needed).
# Exit codes: mcrun's; 2 for a bad task index or arguments; 127 when mcrun is not on PATH.

set -u

die() {
    code=$1
    shift
    echo "scan.sh: error: $*" >&2
    exit "$code"
}

# A JSON string: backslashes, double quotes, tabs, carriage returns and newlines escaped.
json_string() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' -e 's/\r/\\r/g' \
        | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }' | sed -e 's/^/"/' -e 's/$/"/'
    # an empty value gives no line for sed: print the quotes ourselves
    [ -n "$1" ] || printf '""'
}

# A JSON array of the positional parameters.
json_array() {
    sep=''
    printf '['
    for item in "$@"; do
        printf '%s%s' "$sep" "$(json_string "$item")"
        sep=', '
    done
    printf ']'
}

now() {
    date -u +%Y-%m-%dT%H:%M:%SZ
}

dry_run=${MCSTAS_DRY_RUN:-0}
case $dry_run in
    1 | true | yes) dry_run=1 ;;
    *) dry_run=0 ;;
esac

instr=''
params=''
for arg in "$@"; do
    case $arg in
        --dry-run) dry_run=1 ;;
        *.instr)
            [ -z "$instr" ] || die 2 "two instruments given: $instr and $arg"
            instr=$arg
            ;;
        *=*) params="$params
$arg" ;;
        *) die 2 "unexpected argument '$arg' (give [--dry-run] [INSTR.instr] [NAME=VALUE ...])" ;;
    esac
done

# --- which point of the scan ------------------------------------------------------------------------------------
ncounts=${SCAN_NCOUNTS:-1e6 1e7 1e8 1e9}
mpis=${SCAN_MPI:-1 2 3 4}
set -f # the lists are split on blanks, never globbed
# shellcheck disable=SC2086
set -- $ncounts
num_ncounts=$#
# shellcheck disable=SC2086
set -- $mpis
num_mpis=$#
set +f
[ "$num_ncounts" -gt 0 ] && [ "$num_mpis" -gt 0 ] || die 2 "SCAN_NCOUNTS and SCAN_MPI must not be empty"
size=$((num_ncounts * num_mpis))

index=${CORC_TASK_INDEX:-}
case $index in
    '' ) die 2 "CORC_TASK_INDEX is not set (corc sets it for every task; by hand: CORC_TASK_INDEX=0 sh scan.sh)" ;;
    *[!0-9]*) die 2 "CORC_TASK_INDEX must be a number, got '$index'" ;;
esac
index=$(printf '%s' "$index" | sed 's/^0*\([0-9]\)/\1/') # 08 is not octal
[ "$index" -lt "$size" ] \
    || die 2 "task index $index is outside the scan of $size points ($num_ncounts ncounts x $num_mpis MPI counts); run the job with --num-jobs $size"
if [ -n "${CORC_NUM_JOBS:-}" ] && [ "$CORC_NUM_JOBS" != "$size" ]; then
    echo "scan.sh: warning: the job has $CORC_NUM_JOBS task(s) but the scan has $size points" >&2
fi

# element $1 (from 0) of the blank-separated list $2
nth() {
    i=0
    set -f
    for item in $2; do
        if [ "$i" -eq "$1" ]; then
            printf '%s' "$item"
            break
        fi
        i=$((i + 1))
    done
    set +f
}
ncount=$(nth "$((index / num_mpis))" "$ncounts")
mpi=$(nth "$((index % num_mpis))" "$mpis")
case $ncount in
    '' | *[!0-9eE.+]*) die 2 "ncounts must be numbers such as 1e6 or 1000000, got '$ncount'" ;;
esac
case $mpi in
    '' | *[!0-9]* | 0*) die 2 "MPI process counts must be positive numbers, got '$mpi'" ;;
esac

if [ "$dry_run" != 1 ] && ! command -v mcrun >/dev/null 2>&1; then
    die 127 "mcrun is not on PATH: run in an image with McStas (--image), install McStas, or try MCSTAS_DRY_RUN=1"
fi

# --- which instrument -------------------------------------------------------------------------------------------
input=${CORC_INPUT:-$PWD/input}
output=${CORC_OUTPUT:-$PWD/output}

find_in_inputs() {
    [ -d "$input" ] || return 0
    found=$(find "$input" -maxdepth 2 -type f -name '*.instr' | sort)
    count=$(printf '%s' "$found" | grep -c .)
    [ "$count" -le 1 ] || die 2 "$count instruments among the inputs; name one: sh scan.sh NAME.instr
$found"
    printf '%s' "$found"
}

find_in_mcstas() {
    dirs=''
    if command -v mcrun >/dev/null 2>&1; then
        dirs=$(mcrun --showcfg=resourcedir 2>/dev/null)
    fi
    for dir in $dirs ${MCSTAS:-} /usr/share/mcstas /usr/local/share/mcstas /usr/local/mcstas /opt/mcstas \
        /usr/share/mcstas* /usr/local/mcstas* /opt/mcstas*; do
        [ -d "$dir" ] || continue
        found=$(find "$dir" -name templateSANS.instr -type f 2>/dev/null | head -n 1)
        if [ -n "$found" ]; then
            printf '%s' "$found"
            return 0
        fi
    done
}

if [ -n "$instr" ]; then
    if [ ! -f "$instr" ] && [ -f "$input/$instr" ]; then
        instr=$input/$instr
    fi
elif [ -n "${MCSTAS_INSTR:-}" ]; then
    instr=$MCSTAS_INSTR
else
    instr=$(find_in_inputs) || exit $?
    [ -n "$instr" ] || instr=$(find_in_mcstas)
    if [ -z "$instr" ]; then
        [ "$dry_run" = 1 ] || die 2 "templateSANS.instr not found in the McStas installation; pass an instrument as input"
        instr=templateSANS.instr
    fi
fi
[ "$dry_run" = 1 ] || [ -f "$instr" ] || die 2 "instrument $instr not found"

name=$(basename "$instr" .instr)_n${ncount}_mpi${mpi}
run_dir=$output/$name

# --- the command --------------------------------------------------------------------------------------------------
# mcrun compiles next to the instrument: work on a copy in a scratch directory (the original may be read-only)
set -f
set -- mcrun "$(basename "$instr")" -n "$ncount"
[ "$mpi" -gt 1 ] && set -- "$@" "--mpi=$mpi"
set -- "$@" -d "$run_dir"
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
set -- "$@" $params
IFS=$old_ifs
set +f

mkdir -p "$output" || die 1 "cannot create $output"
started=$(now)
if [ "$dry_run" = 1 ]; then
    echo "dry run (MCSTAS_DRY_RUN=1): not running, in a copy of $instr:" >&2
    printf '%s\n' "$*"
    printf '%s\n' "$*" >"$output/command.txt"
    exit_code=0
else
    scratch=${TMPDIR:-/tmp}/corc-mcstas.$$
    rm -rf "$scratch"
    mkdir -p "$scratch" || die 1 "cannot create $scratch"
    trap 'rm -rf "$scratch"' EXIT
    case $instr in
        "$input"/*) cp -R "$(dirname "$instr")/." "$scratch/" ;; # with the files beside it (data, components)
        *) cp "$instr" "$scratch/" ;;
    esac || die 1 "cannot copy $instr to $scratch"
    echo "task $index: ncount $ncount, $mpi MPI process(es): $*" >&2
    (cd "$scratch" && "$@")
    exit_code=$?
fi
ended=$(now)

{
    printf '{\n'
    printf '  "task_index": %s,\n' "$index"
    printf '  "ncount": %s,\n' "$(json_string "$ncount")"
    printf '  "mpi": %s,\n' "$mpi"
    printf '  "instrument": %s,\n' "$(json_string "$instr")"
    # shellcheck disable=SC2086
    printf '  "parameters": %s,\n' "$(IFS='
'; set -f; json_array $params)"
    printf '  "output_dir": %s,\n' "$(json_string "$name")"
    printf '  "command": %s,\n' "$(json_array "$@")"
    printf '  "dry_run": %s,\n' "$([ "$dry_run" = 1 ] && echo true || echo false)"
    printf '  "exit_code": %s,\n' "$exit_code"
    printf '  "started_at": %s,\n' "$(json_string "$started")"
    printf '  "ended_at": %s\n' "$(json_string "$ended")"
    printf '}\n'
} >"$output/params.json"

[ "$exit_code" -eq 0 ] || echo "scan.sh: mcrun failed with exit code $exit_code" >&2
exit "$exit_code"
