#!/usr/bin/env bash
# A single-node Kafka (KRaft, broker and controller in one JVM) from the jars the build already has: the same broker,
# with the same settings, as the fleet's tests (io.vigil.server.fleet.KafkaBroker in engine/server's tests).
#
#   bench/kafka-broker.sh start DIR    starts it in DIR (emptied first), on free loopback ports; prints its
#                                      bootstrap address (also in DIR/bootstrap) and returns; the broker runs on
#   bench/kafka-broker.sh stop DIR     stops it (SIGTERM, a controlled shutdown; SIGKILL after 20 s)
#
# DIR holds server.properties, broker.log, broker.pid and data/. For bench/run-failover.sh, and for trying a fleet on
# a laptop: point each node's `cluster.bootstrapServers` at the printed address.
# Needs a JDK 25 (JAVA_HOME, /usr/lib/jvm or PATH); builds engine/server's test classes once when they are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SERVER=$ROOT/engine/server/target
CLASSPATH_FILE=$SERVER/kafka-broker.classpath
STOP_TIMEOUT_S=20

die() { echo "kafka-broker: $*" >&2; exit 1; }
usage() { die "usage: bench/kafka-broker.sh start DIR | stop DIR"; }

java_major() {
  local v
  v=$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1) || true
  v=${v#1.}; v=${v%%[!0-9]*}; echo "${v:-0}"
}

find_java_home() {
  local dir best="" best_major=0 major
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && (( $(java_major "$JAVA_HOME/bin/java") >= 25 )); then
    echo "$JAVA_HOME"; return
  fi
  for dir in /usr/lib/jvm/*; do
    [[ -x $dir/bin/java ]] || continue
    major=$(java_major "$dir/bin/java")
    if (( major >= 25 && major > best_major )); then best=$dir best_major=$major; fi
  done
  if [[ -z $best ]] && command -v java >/dev/null && (( $(java_major java) >= 25 )); then
    best=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  [[ -n $best ]] && echo "$best"
}

start() {
  local dir=$1 java_home
  java_home=$(find_java_home) || die "needs JDK 25 or newer (JAVA_HOME, /usr/lib/jvm or PATH)"
  if [[ -f $dir/broker.pid ]] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
    die "a broker already runs in $dir (pid $(cat "$dir/broker.pid")): bench/kafka-broker.sh stop $dir first"
  fi
  # The class path that Maven resolved for engine/server's tests (written at generate-test-resources), and the
  # test classes that hold KafkaBroker: built once when missing.
  if [[ ! -s $CLASSPATH_FILE || ! -f $SERVER/test-classes/io/vigil/server/fleet/KafkaBroker.class ]]; then
    echo "kafka-broker: building engine/server's test classes (once, about a minute)..." >&2
    (cd "$ROOT" && JAVA_HOME=$java_home ./mvnw -B -ntp -q test-compile -pl engine/server -am) >&2 \
      || die "the build failed"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  "$java_home/bin/java" -cp "$SERVER/test-classes:$(cat "$CLASSPATH_FILE")" \
    io.vigil.server.fleet.KafkaBroker start "$dir"
}

stop() {
  local dir=$1 pid waited=0
  [[ -f $dir/broker.pid ]] || die "no broker.pid in $dir"
  pid=$(cat "$dir/broker.pid")
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "kafka-broker: pid $pid in $dir is not running" >&2
    rm -f "$dir/broker.pid"
    return 0
  fi
  # Only the broker that this script started: its command line names DIR's server.properties.
  grep -qF "$dir/server.properties" "/proc/$pid/cmdline" 2>/dev/null \
    || die "pid $pid is not the broker of $dir; not stopping it"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT_S * 10 )); do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka-broker: no controlled shutdown within ${STOP_TIMEOUT_S} s; killing pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/broker.pid"
}

(( $# == 2 )) || usage
case $1 in
  start) start "$2" ;;
  stop) stop "$(cd "$2" 2>/dev/null && pwd || echo "$2")" ;;
  *) usage ;;
esac
