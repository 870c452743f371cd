#!/usr/bin/env bash
# The fleet's failover experiment (issue 11): a Kafka broker from the jars the build already has, NODES `vigil serve`
# nodes (separate JVMs, role all), STREAMS live UDP sources (ffmpeg, 160x120, black 8 s of every 30 s), KILLS rounds
# of SIGKILL to a random node (restarted with its identity 10 s later). See engine/cli's
# src/test/java/io/vigil/cli/fleet/FailoverExperiment.java for what is measured.
#
#   bench/run-failover.sh [NODES=3] [STREAMS=12] [KILLS=5]
#   bench/run-failover.sh overhead [STREAMS=4]    cluster mode's CPU and memory against a single node, same streams
#
# Last line: failover: median X s, max Y s, alarms lost N, duplicated D, kills K
#        or: overhead: ...
# Work files (node logs, configs, the broker's log) in $WORKDIR (default: a new temp folder), kept.
set -euo pipefail

MODE=failover
if [[ ${1:-} == overhead ]]; then MODE=overhead; shift; fi
NODES=${1:-3}
STREAMS=${2:-12}
KILLS=${3:-5}
if [[ $MODE == overhead ]]; then STREAMS=${1:-4}; fi
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CLI=$ROOT/engine/cli/target
WORKDIR=${WORKDIR:-$(mktemp -d -t vigil-failover.XXXXXX)}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
command -v ffmpeg >/dev/null || { echo "run-failover: needs ffmpeg on PATH" >&2; exit 1; }

if [[ ! -s $CLI/fleet-test.classpath || ! -f $CLI/test-classes/io/vigil/cli/fleet/FailoverExperiment.class ]]; then
  echo "run-failover: building the test classes (once)..." >&2
  (cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -B -ntp -q test-compile -pl engine/cli -am) >&2
fi

"$ROOT/bench/kafka-broker.sh" start "$WORKDIR/broker" >/dev/null
trap '"$ROOT/bench/kafka-broker.sh" stop "$WORKDIR/broker" >/dev/null 2>&1 || true' EXIT
BOOTSTRAP=$(cat "$WORKDIR/broker/bootstrap")
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
  -cp "$CLI/test-classes:$CLI/classes:$(cat "$CLI/fleet-test.classpath")")
if [[ $MODE == overhead ]]; then
  echo "run-failover: broker at $BOOTSTRAP; overhead of cluster mode on $STREAMS streams; files in $WORKDIR" >&2
  "${JAVA[@]}" io.vigil.cli.fleet.OverheadExperiment "$BOOTSTRAP" "$STREAMS" "$WORKDIR"
else
  echo "run-failover: broker at $BOOTSTRAP; $NODES nodes, $STREAMS streams, $KILLS kills; files in $WORKDIR" >&2
  "${JAVA[@]}" io.vigil.cli.fleet.FailoverExperiment "$BOOTSTRAP" "$NODES" "$STREAMS" "$KILLS" "$WORKDIR"
fi
