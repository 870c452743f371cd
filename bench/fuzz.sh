#!/usr/bin/env bash
# Fuzzes `vigil analyze` (issue 12): seed clips made with ffmpeg in many containers and codecs (MP4, MOV, 3GP, MKV,
# WebM, TS, FLV, AVI, ASF, NUT, MXF, DV, Ogg, MPEG-PS, Y4M, audio-only WAV/MP3/AAC/FLAC/Opus/AC-3/AIFF, images, raw
# H.264/HEVC/MPEG-2/MPEG-4/VP8/AV1 elementary streams, an empty file, random bytes), mutated with zzuf (Debian's, when
# installed) and structural changes (cuts, header flips, chunks duplicated/removed/swapped, TS packets dropped,
# continuity counters broken); the inputs analysed by `vigil analyze --format jsonl --jobs 1` in batches of BATCH per
# JVM (start-up, most of a lone input's second, shared), JOBS JVMs side by side, each batch under BATCH times the
# timeout; its output split by input and each input judged as if alone. A batch that shows anything not clearly one
# input's (a crash or signal, a hang, a stack trace, an exit code outside the contract, a line of no input, missing
# objects, a defect) is analysed again input by input, each in its own JVM, so that a defect is pinned to one input.
#
#   bench/fuzz.sh [COUNT=300] [SEED=1]       env: JOBS (default: the cores), TIMEOUT (seconds per input, default 60),
#                                                 BATCH (inputs per JVM, default 25; 1: each input alone),
#                                                 WORKDIR (default bench/out/fuzz: seeds kept, defects kept),
#                                                 MVN_OPTS (extra Maven options for the build, say -o)
#
# Handled: exit 0 with one summary, 3 with an error object, 4 with a summary and an error object (the contract's
# codes), every stdout line a JSON object, the events keeping their invariants. Defect: a crash or signal, a hang
# past the timeout, a Java stack trace on stderr, another exit code or missing objects, broken events. Defects are
# kept in $WORKDIR/defects/<outcome>/ (the input, and what vigil printed); copy a small one (< 50 KB) into
# engine/cli/src/test/resources/fuzz/regressions/ and FuzzRegressionsTest replays it. Prints totals by container and
# outcome (a Markdown table, also in $WORKDIR/totals.md; running totals every 500 inputs; the totals so far when
# stopped early by SIGTERM or Ctrl-C) and how long 10,000 inputs would take here; exits 1 when there was a defect.
set -euo pipefail

COUNT=${1:-300}
SEED=${2:-1}
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CLI=$ROOT/engine/cli/target
WORKDIR=${WORKDIR:-$ROOT/bench/out/fuzz}
JOBS=${JOBS:-$(nproc)}
TIMEOUT=${TIMEOUT:-60}
BATCH=${BATCH:-25}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

die() { echo "fuzz: $*" >&2; exit 2; }
[[ $COUNT =~ ^[0-9]+$ && $COUNT -gt 0 ]] || die "COUNT must be a positive whole number, got '$COUNT'"
[[ $SEED =~ ^-?[0-9]+$ ]] || die "SEED must be a whole number, got '$SEED'"
[[ $BATCH =~ ^[0-9]+$ && $BATCH -gt 0 ]] || die "BATCH must be a positive whole number, got '$BATCH'"
command -v ffmpeg >/dev/null || die "needs ffmpeg on PATH (apt-get install ffmpeg)"
command -v zzuf >/dev/null || echo "fuzz: zzuf not installed (apt-get install zzuf): its mutations are left out" >&2

# One build (the runnable jar, the harness's test classes); the analyses run on a copy of the jar and its lib/, so
# that a rebuild during a long campaign does not change vigil under it.
echo "fuzz: building vigil and the harness..." >&2
read -r -a MVN_EXTRA <<< "${MVN_OPTS:-}"
(cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -B -ntp -q "${MVN_EXTRA[@]}" package -DskipTests -pl engine/cli -am) >&2
mkdir -p "$WORKDIR"
rm -rf "$WORKDIR/vigil"
mkdir -p "$WORKDIR/vigil"
cp -r "$CLI/vigil.jar" "$CLI/lib" "$WORKDIR/vigil/"
HARNESS=$WORKDIR/harness
rm -rf "$HARNESS"
mkdir -p "$HARNESS"
cp -r "$CLI/test-classes" "$CLI/classes" "$HARNESS/"
# The sibling modules' jars too (the rest of the class path is ~/.m2's): a rebuild must not change them under the run.
HARNESS_CP=$HARNESS/test-classes:$HARNESS/classes
IFS=: read -r -a ENTRIES < "$CLI/fleet-test.classpath" || [[ ${#ENTRIES[@]} -gt 0 ]]  # no final newline
for entry in "${ENTRIES[@]}"; do
  if [[ $entry == "$ROOT"/* ]]; then
    cp "$entry" "$HARNESS/"
    entry=$HARNESS/$(basename "$entry")
  fi
  HARNESS_CP+=:$entry
done
echo "fuzz: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); files in $WORKDIR" >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dvigil.fuzz.classpath="$WORKDIR/vigil/vigil.jar" \
  -cp "$HARNESS_CP" \
  io.vigil.cli.fuzz.Fuzz "$COUNT" "$SEED" "$WORKDIR" "$JOBS" "$TIMEOUT" "$BATCH"
