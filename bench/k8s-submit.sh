#!/usr/bin/env bash
# Kubernetes job submission overhead of the `kubernetes` scheduler (scheduler/kubernetes), built as the CLI builds it
# (factory, kubeconfig file, the FileStateStore of a corc home), against the fabric8 mock API server in CRUD mode
# (kubernetes-server-mock, HTTPS on 127.0.0.1) running in a child JVM, so the client CPU is the client's alone:
#   A      1,000 single-task jobs submitted one after another (a user's loop, an embedder)
#   A-par  the same from $THREADS threads (THREADS=0 skips it)
#   B      1 job of 1,000 tasks (an indexed Job), $REPEAT_B times
# each after $WARMUP uncounted submissions against a fresh server. Target (the issue): under 5 ms per job.
#
#   bench/k8s-submit.sh [RUNS]        default 1 run; JOBS=1000 TASKS=1000 WARMUP=100 THREADS=4 REPEAT_B=20
#   BENCH_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" bench/k8s-submit.sh   client JVM flags (the CLI's)
#   CORC_TARGET=target-b bench/k8s-submit.sh                                        build folder (-Dcorc.target)
#
# Results: bench/results/k8s-submit.md (appended, with machine and JVM) and k8s-submit-latest.json.
set -euo pipefail
runs="${1:-1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results"
work="${BENCH_WORK:-/tmp/corc-bench-k8s}"
target="${CORC_TARGET:-target}"
jobs="${JOBS:-1000}" tasks="${TASKS:-1000}" warmup="${WARMUP:-100}" threads="${THREADS:-4}" repeat_b="${REPEAT_B:-20}"
jvm_opts="${BENCH_JVM_OPTS:-}"
mkdir -p "$results" "$work"
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 2; }

# ---- build: the bench module and what it needs, in one reactor (nothing installed into ~/.m2) ------------------
echo "bench: building bench/ and its modules (-Dcorc.target=$target)" >&2
(cd "$root" && ./mvnw -B -q -o -Dcorc.target="$target" -pl bench -am package dependency:build-classpath \
    -DskipTests -Dmdep.outputFile="$target/classpath.txt" -Dmdep.includeScope=runtime)
jar="$root/bench/$target/corc-bench-0.1.0-SNAPSHOT.jar"
classpath="$jar:$(cat "$root/bench/$target/classpath.txt")"

# ---- runs ----------------------------------------------------------------------------------------------------
rm -f "$work"/run-*.json
for i in $(seq "$runs"); do
    echo "bench: run $i of $runs" >&2
    # shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of flags
    java $jvm_opts -cp "$classpath" io.corc.bench.K8sSubmitBench --jobs "$jobs" --tasks "$tasks" \
        --warmup "$warmup" --threads "$threads" --repeat-b "$repeat_b" --work "$work/run" \
        --json "$work/run-$i.json"
done

# ---- report --------------------------------------------------------------------------------------------------
python3 - "$work" "$results" "$runs" "$(java -version 2>&1 | head -1)" "$(nproc)" "$jvm_opts" \
    "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')" <<'EOF'
import json, os, sys, datetime, statistics
work, results, runs, javav, cores, jvm_opts, cpu = sys.argv[1:8]
data = [json.load(open(os.path.join(work, "run-%d.json" % i))) for i in range(1, int(runs) + 1)]
first = data[0]
names = list(first["scenarios"].keys())
med = lambda key, s: statistics.median(d["scenarios"][s][key] for d in data)

def label(s):
    sc = first["scenarios"][s]
    if s == "B":
        return "B: 1 job of %d tasks (x%d)" % (sc["tasks_per_job"], sc["submissions"])
    return "%s: %d single-task jobs, %s" % (s, sc["submissions"],
                                           "sequential" if sc["threads"] == 1 else "%d threads" % sc["threads"])

rows = []
for s in names:
    rows.append("| %s | %.0f | %.0f | %.2f | %.2f / %.2f / %.2f | %.2f (%.2f s) | %.2f | %.2f | %s |" % (
        label(s), med("jobs_per_s", s), med("tasks_per_s", s), med("wall_ms_per_job", s),
        med("latency_ms_p50", s), med("latency_ms_p95", s), med("latency_ms_p99", s),
        med("client_cpu_ms_per_job", s), med("client_cpu_s", s),
        statistics.median(d["scenarios"][s]["state_store"]["ms_per_job"] for d in data),
        med("server_cpu_ms_per_job", s),
        # the overhead is what the client spends per job; the wall time is mostly the mock server's CPU on the
        # same two cores (its own column), which a real API server does not take from the client
        "yes" if med("client_cpu_ms_per_job", s) < 5 else "**no**"))

threads_rows = []
for s in names:
    by = first["scenarios"][s].get("client_cpu_ms_per_job_by_thread", {})
    top = sorted(by.items(), key=lambda kv: -kv[1])[:5]
    threads_rows.append("| %s | %s |" % (s, ", ".join("%s %.2f" % kv for kv in top)))

req_rows = []
for s in names:
    reqs = first["scenarios"][s]["server_requests"]
    n = first["scenarios"][s]["submissions"]
    req_rows.append("| %s | %s |" % (s, ", ".join("%s %.1f" % (k, v["count"] / n) for k, v in reqs.items())))

stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
md = ["", "## %s" % stamp, "",
      "%s cores (%s); %s; client JVM flags: %s; %d run(s), medians; %d warm-up submissions per scenario;"
      " mock API server (fabric8 kubernetes-server-mock 7.8.0, CRUD, %s) in its own JVM, fresh per scenario."
      % (cores, cpu or "?", javav, "`%s`" % jvm_opts if jvm_opts else "none (defaults)", int(runs),
         first["warmup"], "HTTPS" if first["tls"] else "HTTP"), "",
      "| scenario | jobs/s | tasks/s | wall ms/job | latency p50 / p95 / p99 ms | client CPU ms/job (total) |"
      " state store ms/job | server CPU ms/job | client CPU < 5 ms/job |",
      "|---|---|---|---|---|---|---|---|---|"] + rows + [
      "", "Client CPU ms/job by thread (run 1; `CN CompilerThre` = JIT, `java` = the submitting main thread,"
      " `vert.x-eventloo` / `JdkHttpClientFa` = fabric8's HTTP stack, ended threads = short-lived ones):", "",
      "| scenario | top threads |", "|---|---|"] + threads_rows + [
      "", "API requests per submission (run 1):", "", "| scenario | requests |", "|---|---|"] + req_rows + [""]
path = os.path.join(results, "k8s-submit.md")
if not os.path.exists(path):
    open(path, "w").write(
        "# Kubernetes submission overhead\n\n"
        "Reproduce with `bench/k8s-submit.sh [RUNS]` (see the script for JOBS, TASKS, WARMUP, THREADS and"
        " BENCH_JVM_OPTS). The client is the `kubernetes` scheduler with the CLI's FileStateStore; the server is the"
        " fabric8 mock API server in another JVM, so client CPU is the client's alone. Wall time includes the mock"
        " server's time on the same cores. Target: submission overhead under 5 ms per job.\n")
open(path, "a").write("\n".join(md))
json.dump({"date": stamp, "cores": int(cores), "cpu": cpu, "java": javav, "client_jvm_opts": jvm_opts,
           "runs": data}, open(os.path.join(results, "k8s-submit-latest.json"), "w"), indent=2)
print("\n".join(md))
EOF
