#!/usr/bin/env bash
# Builds the self-contained bundle that runs vigil's GPU check on a GPU host that has an NVIDIA driver but no JDK,
# no ffmpeg and no network (the lent device machine, or any GPU server):
#
#   docker-gpu/target/vigil-gpu-bundle.tar.xz   unpacks to vigil-gpu/:
#     jre/               a jlink'd Java runtime with only the modules vigil, its tests and its benchmark need
#     app/vigil.jar      the vigil command line, with app/lib/*.jar (linux-x86_64 natives only) and the bench jar
#     test/*-classes     the test classes of native, kernels and engine (the GPU contract tests are *GpuTest)
#     test/lib/*.jar     the JUnit console launcher and the test libraries not already in app/lib
#     cp/*.txt           the class paths (bundle-relative), BUNDLE.txt (what went in), run-gpu-check.sh
#
# Usage: docker-gpu/build-bundle.sh [--smoke]
#   --smoke   then unpack the archive into a temporary folder and run, with the bundled Java, vigil doctor and
#             the GPU tests with and without -Dvigil.gpu=required (no GPU needed; see docker-gpu/README.md)
# Environment: JAVA_HOME (a JDK 25; default /usr/lib/jvm/temurin-25-jdk-amd64), VIGIL_MVN_ARGS (extra Maven
# arguments, e.g. -o), VIGIL_BUNDLE_LIMIT_MIB (60), VIGIL_JLINK_EXTRA_MODULES (comma-separated, added to jdeps'),
# VIGIL_JLINK_COMPRESS (jlink --compress value; default none, since xz packs an uncompressed image better).
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ROOT=$(dirname "$HERE")
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
TARGET=$HERE/target
BUILD=$TARGET/bundle
STAGE=$BUILD/vigil-gpu
ARCHIVE=$TARGET/vigil-gpu-bundle.tar.xz
LIMIT_MIB=${VIGIL_BUNDLE_LIMIT_MIB:-60}
read -r -a MVN_EXTRA <<< "${VIGIL_MVN_ARGS:-}"
MVN=("$ROOT/mvnw" -q -B -ntp "${MVN_EXTRA[@]}")
TEST_MODULES=(native kernels engine/core engine/server engine/cli)
# Left out of the bundle, whose check runs no fleet: Kafka's client and its compression libraries (~10 MB packed; vigil
# loads them only for a cluster: section, so the manifest's missing entries are harmless), and the test broker's jars.
FLEET_RUNTIME_JARS='^(kafka-clients|zstd-jni|snappy-java|lz4-java|slf4j-api)-[0-9].*\.jar$'
# Left out too: OpenCV and the OpenBLAS it links (~53 MB of natives), used only by the logo_missing and slate
# detectors (io.vigil.kernels.picture), which the GPU check does not run; the bundle would not fit the 64 MiB.
PICTURE_JARS='^(opencv|openblas)-[0-9].*\.jar$'
FLEET_TEST_JARS='^(kafka_2\.13|kafka-[a-z-]+|scala-[a-z]+|scala-logging_2\.13|log4j-[a-z0-9-]+|slf4j-simple|caffeine|commons-(validator|beanutils|digester|logging|collections)|jose4j|hash4j|pcollections|argparse4j|jopt-simple|metrics-core|HdrHistogram|re2j|jackson-dataformat-yaml|jackson-datatype-jdk8|snakeyaml)-[0-9].*\.jar$'
SMOKE=0
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-bundle: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'build-bundle: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[[ -x $JAVA_HOME/bin/jlink && -x $JAVA_HOME/bin/jdeps ]] || die "JAVA_HOME=$JAVA_HOME is not a JDK with jlink and jdeps"
for tool in xz tar; do command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y xz-utils tar)"; done
mkdir -p "$TARGET"

# 1. Build every module (package also compiles the test classes), and in the same reactor write each module's
#    class paths, so that vigil's own modules resolve to the jars just built, never to stale ones in ~/.m2.
say "building with Maven (package, test classes, class paths)"
cd "$ROOT"
rm -f ./*/target/vigil-bundle-*.cp ./engine/*/target/vigil-bundle-*.cp
"${MVN[@]}" -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile=target/vigil-bundle-runtime.cp
"${MVN[@]}" -DskipTests test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile=target/vigil-bundle-test.cp
[[ -f engine/cli/target/vigil.jar ]] || die "no engine/cli/target/vigil.jar after the build"
BENCH_JAR=$(find bench/target -maxdepth 1 -name 'vigil-bench-*.jar' ! -name '*-sources.jar' | head -n 1)
[[ -n $BENCH_JAR ]] || die "no bench/target/vigil-bench-*.jar after the build"

entries() { [[ -f $1 ]] && { tr ':' '\n' < "$1"; echo; } | sed '/^$/d'; return 0; }

# 2. Stage the bundle.
say "staging $STAGE"
rm -rf "$BUILD"
mkdir -p "$STAGE/app/lib" "$STAGE/test/lib" "$STAGE/cp" "$STAGE/work"
cp engine/cli/target/vigil.jar "$STAGE/app/vigil.jar"
cp "$BENCH_JAR" "$STAGE/app/lib/"
# Runtime jars of the engine (the vigil command) and of the bench (StreamsBench), by file name. The engine jar is
# app/vigil.jar already; a jar that is not for linux-x86_64 (another platform's natives) is left out.
while IFS= read -r jar; do
  name=$(basename "$jar")
  [[ $name == vigil.jar || $name == vigil-engine-*.jar ]] && continue
  [[ $name =~ $FLEET_RUNTIME_JARS || $name =~ $PICTURE_JARS ]] && continue
  [[ $name =~ -(linux-(arm64|armhf|ppc64le|riscv64)|macosx-[a-z0-9_]+|windows-[a-z0-9_]+|android-[a-z0-9_]+|ios-[a-z0-9_]+)\.jar$ ]] && continue
  [[ -f $jar ]] || die "class-path entry $jar is not a jar file"
  [[ -e $STAGE/app/lib/$name ]] || cp "$jar" "$STAGE/app/lib/"
done < <(entries engine/cli/target/vigil-bundle-runtime.cp; entries bench/target/vigil-bundle-runtime.cp)
# libvigilpixels (the CPU statistics' C passes) travels inside vigil-native's jar; built only where a C compiler is.
if command -v cc >/dev/null; then
  "$JAVA_HOME/bin/jar" tf "$(ls "$STAGE"/app/lib/vigil-native-*.jar | head -n 1)" \
    | grep -q 'io/vigil/ffi/linux-x86_64/libvigilpixels.so' || die "vigil-native's jar has no libvigilpixels.so"
else
  say "no C compiler here: the bundle's CPU statistics run on the Java loops only"
fi

# Every jar the engine's manifest names must be there: java -jar app/vigil.jar uses that Class-Path.
manifest_cp=$(unzip -p "$STAGE/app/vigil.jar" META-INF/MANIFEST.MF | tr -d '\r' \
  | awk '/^Class-Path:/ { on = 1; sub(/^Class-Path: /, ""); printf "%s", $0; next } on && /^ / { sub(/^ /, ""); printf "%s", $0; next } { on = 0 }')
for entry in $manifest_cp; do
  [[ -f $STAGE/app/$entry || $(basename "$entry") =~ $FLEET_RUNTIME_JARS || $(basename "$entry") =~ $PICTURE_JARS ]] \
    || die "vigil.jar's manifest names $entry, which is not in app/"
done

# Test classes and the test libraries that the runtime does not already bring (the JUnit Platform and Jupiter
# come whole in the console launcher jar).
test_dirs=()
for m in "${TEST_MODULES[@]}"; do
  if [[ -d $m/target/test-classes ]]; then
    cp -r "$m/target/test-classes" "$STAGE/test/${m//\//-}-classes"
    test_dirs+=("test/${m//\//-}-classes")
  fi
done
platform_version=""
while IFS= read -r jar; do
  name=$(basename "$jar")
  case $name in
    junit-platform-engine-*.jar) platform_version=${name#junit-platform-engine-}; platform_version=${platform_version%.jar} ;;
  esac
  case $name in
    vigil.jar|vigil-*.jar|junit-*.jar|opentest4j-*.jar|apiguardian-api-*.jar) continue ;;
  esac
  # The fleet tests' Kafka broker (KafkaBroker) and what it pulls in: no GPU test starts one (and jdeps trips on
  # commons-validator's module graph).
  [[ $name =~ $FLEET_TEST_JARS || $name =~ $FLEET_RUNTIME_JARS || $name =~ $PICTURE_JARS ]] && continue
  [[ -f $jar ]] || continue
  [[ -e $STAGE/app/lib/$name || -e $STAGE/test/lib/$name ]] || cp "$jar" "$STAGE/test/lib/"
done < <(for m in "${TEST_MODULES[@]}"; do entries "$m/target/vigil-bundle-test.cp"; done)
platform_version=${platform_version:-1.14.1}
say "fetching the JUnit console launcher $platform_version"
"${MVN[@]}" -N dependency:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform_version" \
  -DoutputDirectory="$TARGET/deps" >/dev/null
cp "$TARGET/deps/junit-platform-console-standalone-$platform_version.jar" "$STAGE/test/lib/"

# Class paths, bundle-relative, one entry a line (run-gpu-check.sh joins them).
( cd "$STAGE" && { echo app/vigil.jar; find app/lib -name '*.jar' | sort; } ) > "$STAGE/cp/bench.txt"
( cd "$STAGE" && { printf '%s\n' "${test_dirs[@]}"; find test/lib -name '*.jar' | sort; cat cp/bench.txt; } ) \
  > "$STAGE/cp/test.txt"

# 3. The Java runtime: the modules jdeps finds in everything that will run, plus jdk.unsupported (JavaCPP and
#    vigil use sun.misc.Unsafe through reflection, which jdeps cannot see).
say "jdeps + jlink"
mapfile -t analysed < <(cd "$STAGE" && cat cp/test.txt)
modules=$(cd "$STAGE" && "$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
  "${analysed[@]}" 2>"$TARGET/jdeps.err" | tail -n 1) || true
if [[ ! $modules =~ ^[a-z][a-z0-9.,]*$ ]]; then
  say "jdeps failed ($(tail -n 1 "$TARGET/jdeps.err")); using the list measured on 2026-11-26"
  modules=java.base,java.desktop,java.instrument,java.sql,jdk.management,jdk.unsupported
fi
modules=$(echo "$modules,jdk.unsupported${VIGIL_JLINK_EXTRA_MODULES:+,$VIGIL_JLINK_EXTRA_MODULES}" | tr ',' '\n' | sort -u | paste -sd, -)
jlink_args=(--add-modules "$modules" --strip-debug --no-header-files --no-man-pages)
[[ -n ${VIGIL_JLINK_COMPRESS:-} ]] && jlink_args+=(--compress "$VIGIL_JLINK_COMPRESS")
"$JAVA_HOME/bin/jlink" "${jlink_args[@]}" --output "$STAGE/jre"
"$STAGE/jre/bin/java" -version 2>&1 | head -n 1 >/dev/null || die "the jlink'd runtime does not start"

# 4. Jars stored without compression: xz then packs their classes and native libraries across file boundaries
#    (the FFmpeg natives alone: 26.6 MB deflated, 19.1 MB stored then xz'd).
if command -v python3 >/dev/null; then
  say "re-storing the jars uncompressed"
  cat > "$TARGET/restore-jars.py" <<'PY'
import os, sys, zipfile
for path in sys.argv[1:]:
    tmp = path + '.stored'
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, 'w', zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            info.compress_type = zipfile.ZIP_STORED
            dst.writestr(info, data)
    os.replace(tmp, path)
PY
  find "$STAGE" -name '*.jar' -print0 | xargs -0 python3 "$TARGET/restore-jars.py"
else
  say "no python3: jars stay deflated (the archive comes out larger)"
fi

# 5. The run script and what went in.
install -m 0755 "$HERE/run-gpu-check.sh" "$STAGE/run-gpu-check.sh"
{
  echo "vigil GPU bundle, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
  echo "jlink modules: $modules"
  echo "GPU test classes: $(cd "$STAGE" && find test -name '*GpuTest.class' | sed 's#.*/##; s#\.class$##' | sort | paste -sd' ' -)"
  bench_list=$(unzip -l "$STAGE"/app/lib/vigil-bench-*.jar 2>/dev/null || true)
  echo "StreamsBench: $([[ $bench_list == *io/vigil/bench/StreamsBench.class* ]] && echo yes || echo MISSING)"
  echo "files (bytes):"
  (cd "$STAGE" && find app test -type f -name '*.jar' -printf '  %s %p\n' | sort -k2)
  echo "  $(du -sb "$STAGE/jre" | cut -f1) jre/"
} > "$STAGE/BUNDLE.txt"
sed -n '1,5p' "$STAGE/BUNDLE.txt" >&2

# 6. One archive, checked against what the device tool carries.
say "packing $ARCHIVE (xz -9)"
tar -C "$BUILD" --sort=name --owner=0 --group=0 --numeric-owner -cf - vigil-gpu | xz -9 -T2 > "$ARCHIVE.tmp"
mv "$ARCHIVE.tmp" "$ARCHIVE"
bytes=$(stat -c %s "$ARCHIVE")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
say "$ARCHIVE: $bytes bytes ($mib MiB; unpacked $(du -sh "$STAGE" | cut -f1))"
if (( bytes > LIMIT_MIB * 1048576 )); then
  die "the bundle is over $LIMIT_MIB MiB: the device tool carries 64 MiB in all. See BUNDLE.txt for what is in it."
fi

# 7. Optional smoke test here: the bundled runtime, vigil doctor, the GPU tests required (must fail without a GPU)
#    and optional (must pass or skip).
if (( SMOKE )); then
  exec "$HERE/smoke-bundle.sh" "$ARCHIVE"
fi
