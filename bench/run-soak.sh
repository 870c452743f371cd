#!/usr/bin/env bash
# The live soak (issue 12): CHANNELS live UDP MPEG-TS channels (the bench's clip, 640x360 25 fps H.264, a keyframe
# every second, MP2 tone) on air from the start, joined by one real `vigil serve` (CPU backend, default detectors)
# through the API at random staggered moments (mid-GOP), RESTARTS source restarts (3-8 s off, then from the clip's
# start: timestamps start over) spread over MINUTES, one re-join (DELETE + POST) half way. Serve's RSS, threads,
# /metrics and the load average are sampled every SAMPLE seconds; at the end every alarm of the events log is
# classified (stall, discontinuity or corruption within a restart window of its channel: expected; anything else:
# false).
# See engine/cli's src/test/java/io/vigil/cli/bench/SoakExperiment.java.
#
#   bench/run-soak.sh [MINUTES=60] [CHANNELS=8] [RESTARTS=10]      env: SAMPLE (seconds, default 600),
#                                                                       WORKDIR (default: a new temp folder, kept),
#                                                                       OUTAGE (seconds each restart's source is
#                                                                       off; default 3-8 at random),
#                                                                       MVN_OPTS (say -o, for the build)
#
# Last line: soak: N false alarms, E expected, R restarts, RSS a -> b MB, threads c -> d, I invariants broken
# Exit 0 when there was no false alarm and no broken invariant.
set -euo pipefail

MINUTES=${1:-60}
CHANNELS=${2:-8}
RESTARTS=${3:-10}
SAMPLE=${SAMPLE:-600}
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CLI=$ROOT/engine/cli/target
WORKDIR=${WORKDIR:-$(mktemp -d -t vigil-soak.XXXXXX)}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
die() { echo "run-soak: $*" >&2; exit 2; }
[[ $MINUTES =~ ^[0-9]+$ && $MINUTES -ge 2 ]] || die "MINUTES must be a whole number, at least 2, got '$MINUTES'"
[[ $CHANNELS =~ ^[0-9]+$ && $CHANNELS -ge 1 ]] || die "CHANNELS must be a positive whole number, got '$CHANNELS'"
[[ $RESTARTS =~ ^[0-9]+$ ]] || die "RESTARTS must be a whole number, got '$RESTARTS'"
command -v ffmpeg >/dev/null || die "needs ffmpeg on PATH (apt-get install ffmpeg)"

# One build; serve runs from a copy of the jar and its lib/, the harness from a copy of its classes, so that a
# rebuild during the hour does not change either under the run.
echo "run-soak: building vigil and the harness..." >&2
read -r -a MVN_EXTRA <<< "${MVN_OPTS:-}"
(cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -B -ntp -q "${MVN_EXTRA[@]}" package -DskipTests -pl engine/cli -am) >&2
mkdir -p "$WORKDIR"
rm -rf "$WORKDIR/vigil" "$WORKDIR/harness"
mkdir -p "$WORKDIR/vigil" "$WORKDIR/harness"
cp -r "$CLI/vigil.jar" "$CLI/lib" "$WORKDIR/vigil/"
cp -r "$CLI/test-classes" "$CLI/classes" "$WORKDIR/harness/"
# The test class path names the sibling modules' jars in this tree: copies of those too.
mkdir -p "$WORKDIR/harness/lib"
HARNESS_CP=
IFS=: read -r -a ENTRIES < "$CLI/fleet-test.classpath" || true  # no newline at its end
for e in "${ENTRIES[@]}"; do
  if [[ $e == "$ROOT"/* ]]; then
    cp -r "$e" "$WORKDIR/harness/lib/"
    e=$WORKDIR/harness/lib/$(basename "$e")
  fi
  HARNESS_CP+=:$e
done
echo "run-soak: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//');" \
  "$MINUTES min, $CHANNELS channels, $RESTARTS restarts; files in $WORKDIR" >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dvigil.soak.jar="$WORKDIR/vigil/vigil.jar" -Dvigil.soak.outageSeconds="${OUTAGE:-0}" \
  -cp "$WORKDIR/harness/test-classes:$WORKDIR/harness/classes$HARNESS_CP" \
  io.vigil.cli.bench.SoakExperiment "$MINUTES" "$CHANNELS" "$RESTARTS" "$WORKDIR" "$SAMPLE"
