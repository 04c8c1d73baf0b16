#!/usr/bin/env bash
# Orchestration overhead of the ec2 provider: start + stop cycles against FakeEc2 (a stateful EC2 on WireMock, from
# the provider's test-jar) answering every call after an injected latency, the provider built as the CLI builds it
# (factory, AWS profile file, FileStateStore). Overhead = wall time - EC2 calls x latency.
#
#   bench/ec2-orchestration.sh                 CYCLES=50 WARMUP=20 LATENCY=0,20,50 STATE=file (or memory) FIGURE_LATENCY=100 PARALLEL=10 (the issue figure; 0 skips)
#   CORC_TARGET=target-b bench/ec2-orchestration.sh
#
# Results: appended to bench/results/ec2-orchestration.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CORC_TARGET:-target}"
echo "bench: building bench/ and its modules (-Dcorc.target=$target)" >&2
(cd "$root" && ./mvnw -B -q -o -Dcorc.target="$target" -pl bench -am package dependency:build-classpath \
    -DskipTests -Dmdep.outputFile="$target/classpath.txt" -Dmdep.includeScope=runtime)
jar="$root/bench/$target/corc-bench-0.1.0-SNAPSHOT.jar"
classpath="$jar:$(cat "$root/bench/$target/classpath.txt")"
# shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of flags
java ${BENCH_JVM_OPTS:-} -cp "$classpath" io.corc.bench.Ec2OrchestrationBench --cycles "${CYCLES:-50}" \
    --warmup "${WARMUP:-20}" --latency "${LATENCY:-0,20,50}" --work "${BENCH_WORK:-/tmp/corc-bench-ec2}" \
    --state "${STATE:-file}" --figure-latency "${FIGURE_LATENCY:-100}" --parallel "${PARALLEL:-10}" --results "$root/bench/results/ec2-orchestration.md"
