#!/usr/bin/env bash
# The issue's OCI measurement: instance start with LATENCY ms on every mocked OCI call, against (calls of the
# start) x latency, and PARALLEL starts at once against one; the provider built as the CLI builds it, against
# FakeOci (a stateful OCI on WireMock, from the provider's test-jar).
#
#   bench/oci-orchestration.sh                 STARTS=5 LATENCY=100 PARALLEL=10
#   CORC_TARGET=target-b bench/oci-orchestration.sh
#
# Results: appended to bench/results/oci-orchestration.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CORC_TARGET:-target}"
echo "bench: building bench/ and its modules (-Dcorc.target=$target)" >&2
(cd "$root" && ./mvnw -B -q -o -Dcorc.target="$target" -pl bench -am package dependency:build-classpath \
    -DskipTests -Dmdep.outputFile="$target/classpath.txt" -Dmdep.includeScope=runtime)
jar="$root/bench/$target/corc-bench-0.1.0-SNAPSHOT.jar"
classpath="$jar:$(cat "$root/bench/$target/classpath.txt")"
# shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of flags
java ${BENCH_JVM_OPTS:-} -cp "$classpath" io.corc.bench.OciOrchestrationBench --starts "${STARTS:-5}" \
    --latency "${LATENCY:-100}" --parallel "${PARALLEL:-10}" --work "${BENCH_WORK:-/tmp/corc-bench-oci}" \
    --results "$root/bench/results/oci-orchestration.md"
