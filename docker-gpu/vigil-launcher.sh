#!/bin/sh
# /opt/vigil/bin/vigil in the GPU image: the jlink'd runtime with the flags every vigil JVM needs.
#   VIGIL_JAVA_OPTS      extra JVM options, e.g. "-XX:MaxRAMPercentage=50"
#   VIGIL_NATIVE_CACHE   where JavaCPP unpacks the FFmpeg libraries (must be writable; the image fills it at build)
set -eu
VIGIL_HOME=${VIGIL_HOME:-/opt/vigil}
# Java cannot tell whether stdout/stderr are terminals: tell it (progress line, default output format).
if [ -t 1 ]; then VIGIL_STDOUT_TTY=1; else VIGIL_STDOUT_TTY=0; fi
if [ -t 2 ]; then VIGIL_STDERR_TTY=1; else VIGIL_STDERR_TTY=0; fi
export VIGIL_STDOUT_TTY VIGIL_STDERR_TTY
# shellcheck disable=SC2086  # VIGIL_JAVA_OPTS is a list of options, split on purpose
exec "$VIGIL_HOME/jre/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  "-Dorg.bytedeco.javacpp.cachedir=${VIGIL_NATIVE_CACHE:-${HOME:-/tmp}/.javacpp/cache}" ${VIGIL_JAVA_OPTS:-} \
  -jar "$VIGIL_HOME/app/vigil.jar" "$@"
