#!/usr/bin/env bash
# Checks the GPU bundle on a machine WITHOUT a GPU, with the bundled Java runtime only:
#   - vigil doctor runs and says, in one line, that there is no NVIDIA driver (or no GPU);
#   - the GPU tests with -Dvigil.gpu=required FAIL (a GPU check that passes without a GPU proves nothing);
#   - the GPU tests without it pass or skip;
#   - the clip, gpu and cpu steps run end to end on a short clip (the gpu step must not claim a GPU run).
# Usage: docker-gpu/smoke-bundle.sh [ARCHIVE]   (default docker-gpu/target/vigil-gpu-bundle.tar.xz)
# Leaves the unpacked bundle and its outputs in a temporary folder, printed at the end.
set -uo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ARCHIVE=${1:-$HERE/target/vigil-gpu-bundle.tar.xz}
[[ -f $ARCHIVE ]] || { echo "smoke: no $ARCHIVE; run docker-gpu/build-bundle.sh first" >&2; exit 2; }
T=$(mktemp -d /tmp/vigil-gpu-smoke.XXXXXX)
B=$T/vigil-gpu
fails=0
check() {   # check DESCRIPTION CONDITION...
  local what=$1; shift
  if "$@"; then echo "smoke: ok    $what"; else echo "smoke: FAIL  $what"; fails=$(( fails + 1 )); fi
}

start=$SECONDS
tar -xJf "$ARCHIVE" -C "$T" || { echo "smoke: cannot unpack $ARCHIVE" >&2; exit 1; }
echo "smoke: unpacked into $B in $(( SECONDS - start )) s ($(du -sh "$B" | cut -f1))"
check "bundled java starts" "$B/jre/bin/java" -version

# A PATH without any JDK or ffmpeg, as on the GPU host.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset JAVA_HOME

check "doctor runs and prints the backend line" bash -c "OUT='$T/out-doctor' '$B/run-gpu-check.sh' host doctor > '$T/doctor.log' 2>&1"
check "doctor says there is no NVIDIA driver or GPU" grep -qiE 'no NVIDIA driver|no CUDA-capable|no GPU' "$B/work/doctor.txt"
check "doctor ran without a stack trace" bash -c "! grep -qE '^[[:space:]]+at [a-z]|Exception in thread' '$B/work/doctor.txt'"
echo "---- doctor:"; cat "$B/work/doctor.txt"

gpu_tests=$(sed -n 's/^GPU test classes: *//p' "$B/BUNDLE.txt")
if [[ -z $gpu_tests ]]; then
  echo "smoke: WARN  the bundle holds no *GpuTest class yet: checking the test launcher on the kernels' CPU tests"
  OUT=$T/out-tests VIGIL_GPU_TEST_PATTERN='io\.vigil\.kernels\..*Test' "$B/run-gpu-check.sh" tests > "$T/tests.log" 2>&1
  rc=$?
  tail -n 12 "$T/tests.log" | sed -n '/summary/,$p'
  check "the JUnit console launcher runs the kernels' tests with the bundled runtime (rc $rc)" test "$rc" -eq 0
else
  echo "smoke: GPU test classes: $gpu_tests"
  OUT=$T/out-required VIGIL_GPU_REQUIRED=1 "$B/run-gpu-check.sh" tests > "$T/required.log" 2>&1
  rc_required=$?
  echo "---- tests with -Dvigil.gpu=required:"; grep -E '^tests ' "$T/out-required/gpu-summary.txt"
  check "GPU tests with -Dvigil.gpu=required FAIL without a GPU (rc $rc_required)" \
    grep -qE '^tests +FAIL' "$T/out-required/gpu-summary.txt"
  check "the JUnit XML report was written" bash -c "ls '$T'/out-required/junit/*.xml >/dev/null 2>&1"
  OUT=$T/out-optional VIGIL_GPU_REQUIRED=0 "$B/run-gpu-check.sh" tests > "$T/optional.log" 2>&1
  rc_optional=$?
  echo "---- tests without it:"; grep -E '^tests ' "$T/out-optional/gpu-summary.txt"
  check "GPU tests without -Dvigil.gpu=required pass or skip (rc $rc_optional)" test "$rc_optional" -eq 0
fi

OUT=$T/out-bench VIGIL_CLIP_SECONDS=2 VIGIL_GPU_LADDER=2 VIGIL_CPU_STREAMS=2 VIGIL_RUN_TIMEOUT_S=90 \
  "$B/run-gpu-check.sh" clip gpu cpu > "$T/bench.log" 2>&1
rc_bench=$?
echo "---- bench (summary):"; cat "$T/out-bench/gpu-summary.txt" 2>/dev/null
check "vigil's ClipWriter made the clip" grep -qE '^clip +ClipWriter' "$T/out-bench/gpu-summary.txt"
check "the cpu backend ran 2 streams" grep -qE '^cpu +2 .* ok$' "$T/out-bench/gpu-summary.txt"
check "without a GPU the gpu step does not pass (rc $rc_bench)" test "$rc_bench" -ne 0

echo "smoke: $(( SECONDS - start )) s; logs in $T"
(( fails == 0 )) || { echo "smoke: $fails check(s) failed"; exit 1; }
echo "smoke: all checks passed"
