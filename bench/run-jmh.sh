#!/usr/bin/env bash
# JMH benchmarks of vigil's statistics. Extra arguments go to JMH, e.g.:
#   bench/run-jmh.sh -prof gc            # allocation per operation
#   bench/run-jmh.sh -p size=1920x1080   # one size only
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
(cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests package -pl bench -am)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" org.openjdk.jmh.Main "$@"
