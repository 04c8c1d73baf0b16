#!/usr/bin/env bash
# The issue's broker measurement: request-to-grant latency (p50/p99) with 3, 10 and 30 brokers, messages per
# request (from the brokers' metrics), and the time for a partition to heal. All brokers run in one JVM (real
# GridBrokers: JGroups over TCP on 127.0.0.1, AUTH + ASYM_ENCRYPT, signed messages, the local provider).
#
#   bench/broker.sh                          SIZES=3,10,30 REQUESTS=200 WARMUP=20
#   CORC_TARGET=target-b bench/broker.sh
#
# Results: appended to bench/results/broker.md, the latest run's numbers in bench/results/broker-latest.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CORC_TARGET:-target}"
echo "bench: building bench/ and its modules (-Dcorc.target=$target)" >&2
(cd "$root" && ./mvnw -B -q -o -Dcorc.target="$target" -pl bench -am package dependency:build-classpath \
    -DskipTests -Dmdep.outputFile="$target/classpath.txt" -Dmdep.includeScope=runtime)
jar="$root/bench/$target/corc-bench-0.1.0-SNAPSHOT.jar"
classpath="$jar:$(cat "$root/bench/$target/classpath.txt")"
work="${BENCH_WORK:-/tmp/corc-bench-broker}"
rm -rf "$work"
# shellcheck disable=SC2086 # BENCH_JVM_OPTS is a list of flags
java ${BENCH_JVM_OPTS:-} -Djava.net.preferIPv4Stack=true -cp "$classpath" io.corc.bench.BrokerBench \
    --sizes "${SIZES:-3,10,30}" --requests "${REQUESTS:-200}" --warmup "${WARMUP:-20}" --work "$work" \
    --results "$root/bench/results/broker.md" --json "$root/bench/results/broker-latest.json"
