#!/usr/bin/env bash
# vigil's GPU check. Runs from the unpacked bundle (docker-gpu/build-bundle.sh makes it) on a GPU host that has an
# NVIDIA driver but no JDK, no ffmpeg and no network:
#
#   tar -xJf vigil-gpu-bundle.tar.xz -C /tmp && /tmp/vigil-gpu/run-gpu-check.sh [STEP...]
#
# Steps, in this order (all of them when none is named):
#   host    nvidia-smi, driver version, the driver libraries NVDEC needs (libcuda, libnvcuvid)
#   doctor  vigil doctor with the bundled Java runtime (NVML's figures per GPU among its lines)
#   tests   the GPU contract tests (*GpuTest) with the JUnit console launcher, -Dvigil.gpu=required
#   clip    a 1080p30 H.264 clip made by vigil's own ClipWriter (StreamsBench --make-clip)
#   ffmpeg  NVDEC decode-only yardstick with the ffmpeg executable of the bundled FFmpeg jar (best effort)
#   gpu     StreamsBench --backend gpu at a ladder of stream counts, climbing until real time is lost (with
#           NVML's figures, from vigil doctor, 8 s into each run)
#   cpu     StreamsBench --backend cpu at a few stream counts
#
# Writes $OUT/gpu-check.txt (everything printed), $OUT/gpu-summary.txt (the table printed last), $OUT/junit/*.xml,
# and $OUT/gpu-dmon.txt (nvidia-smi dmon during the GPU runs). OUT defaults to ./out beside this script.
#
# Settings (environment):
#   VIGIL_GPU_LADDER      stream counts for the GPU backend            "30 60 90 120 150"
#   VIGIL_CPU_STREAMS     stream counts for the CPU backend            "4 8"
#   VIGIL_CLIP_SECONDS    length of the test clip (each stream decodes all of it)   20
#   VIGIL_RUN_TIMEOUT_S   longest one benchmark run may take           120
#   VIGIL_CHECK_BUDGET_S  the whole check stops starting new work after this        330
#   VIGIL_GPU_REQUIRED    1: GPU tests fail without a usable GPU; 0: they skip      1
#   VIGIL_GPU_TEST_PATTERN  class-name pattern of the GPU tests       .*GpuTest
#   VIGIL_FFMPEG_PARALLEL ffmpeg NVDEC decodes run at once for the yardstick        16
#   VIGIL_JAVA_OPTS       extra JVM options for every Java run
# Exit code: 0 when the GPU tests passed and at least one GPU benchmark run completed on the GPU backend, else 1.
# shellcheck disable=SC2317  # the steps are called by name (step_$s), which shellcheck cannot follow
set -uo pipefail

B=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
OUT=${OUT:-$B/out}
GPU_LADDER=${VIGIL_GPU_LADDER:-30 60 90 120 150}
CPU_STREAMS=${VIGIL_CPU_STREAMS:-4 8}
CLIP_SECONDS=${VIGIL_CLIP_SECONDS:-20}
RUN_TIMEOUT=${VIGIL_RUN_TIMEOUT_S:-120}
BUDGET=${VIGIL_CHECK_BUDGET_S:-330}
GPU_REQUIRED=${VIGIL_GPU_REQUIRED:-1}
GPU_TEST_PATTERN=${VIGIL_GPU_TEST_PATTERN:-.*GpuTest}
FFMPEG_PARALLEL=${VIGIL_FFMPEG_PARALLEL:-16}
ALL_STEPS=(host doctor tests clip ffmpeg gpu cpu)

JAVA=$B/jre/bin/java
WORK=$B/work
CLIP=$WORK/clip-1080p30.mp4
LOG=$OUT/gpu-check.txt
SUMMARY=$OUT/gpu-summary.txt
DMON=$OUT/gpu-dmon.txt
read -r -a EXTRA_OPTS <<< "${VIGIL_JAVA_OPTS:-}"
JFLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xss4m
        "-Dorg.bytedeco.javacpp.cachedir=$B/cache/javacpp" "-XX:ErrorFile=$WORK/hs_err_%p.log" "${EXTRA_OPTS[@]}")

# Results, filled by the steps and printed as the table at the end.
declare -a ROWS=()
declare -A NOTE=()
GPU_OK_RUNS=0
TESTS_RC=""

section() { printf '\n===== %s  [%s, t+%ds]\n' "$1" "$(date -u +%H:%M:%S)" "$SECONDS"; }
have() { command -v "$1" >/dev/null 2>&1; }
left() { echo $(( BUDGET - SECONDS )); }
# The value after KEY on the last line of FILE that starts with KEY ("total_fps 4512.3" -> 4512.3).
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' "$2" 2>/dev/null; }

# Runs a command with a time limit; at the limit the JVM gets SIGQUIT first (it prints every thread's stack to its
# stdout, so a hang shows where it hangs), then SIGKILL 10 s later. Prints "rc wall user sys" to file $1.
timed() {
  local timefile=$1 limit=$2; shift 2
  local TIMEFORMAT='%R %U %S' rc
  exec 3>&2   # the command's stderr goes where ours goes; only the time report goes to the file
  { time { timeout --signal=QUIT --kill-after=10 "$limit" "$@" 2>&3; echo "rc=$?" > "$timefile.rc"; } ; } 2> "$timefile.time"
  exec 3>&-
  rc=$(sed -n 's/^rc=//p' "$timefile.rc")
  echo "${rc:-1} $(tail -n 1 "$timefile.time")" > "$timefile"
  return "${rc:-1}"
}

# The first error line of a log, without the thread and package prefixes, short enough for the table.
first_error() {
  grep -m 1 -E 'Exception|Error|error|FAIL' "$1" | sed 's/^Exception in thread "[^"]*" //; s/^[a-z][a-z0-9_]*\.[a-z0-9_.]*\.//' \
    | cut -c 1-90
}

java_run() { "$JAVA" "${JFLAGS[@]}" "$@"; }

classpath() {   # cp/NAME.txt holds bundle-relative paths, one a line
  local list=$B/cp/$1.txt p cp=""
  while IFS= read -r p; do [[ -n $p ]] && cp+=${cp:+:}$B/$p; done < "$list"
  echo "$cp"
}

step_host() {
  section "host"
  echo "bundle: $(head -n 3 "$B/BUNDLE.txt" 2>/dev/null | tr '\n' ' ')"
  uname -a
  echo "cpus: $(nproc)   memory: $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  if have nvidia-smi; then
    nvidia-smi -L
    nvidia-smi --query-gpu=name,driver_version,memory.total,pci.bus_id,clocks.max.sm,clocks.max.mem,compute_mode,mig.mode.current \
      --format=csv 2>&1
    NOTE[gpu]=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
    NOTE[driver]=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1)
    NOTE[cuda]=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -n 1)
    nvidia-smi 2>&1 | head -n 12
  else
    echo "nvidia-smi: not on PATH"
    NOTE[gpu]="no nvidia-smi"
  fi
  # NVDEC needs libnvcuvid next to libcuda; in containers it is mounted only with NVIDIA_DRIVER_CAPABILITIES=video.
  local lib found missing=""
  for lib in libcuda.so.1 libnvcuvid.so.1 libnvidia-encode.so.1 libnvidia-ml.so.1; do
    found=$( { ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l { print $NF; exit }'; } )
    if [[ -z $found ]]; then
      local d
      for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
        [[ -e $d/$lib ]] && { found=$d/$lib; break; }
      done
    fi
    printf '%-24s %s\n' "$lib" "${found:-MISSING}"
    [[ -z $found ]] && missing+=" $lib"
  done
  NOTE[libs]=${missing:+missing:$missing}
  env | grep -E '^(NVIDIA_|CUDA_|LD_LIBRARY_PATH)' | sort
}

step_doctor() {
  section "vigil doctor"
  java_run -version 2>&1 | head -n 1
  local f=$WORK/doctor
  timed "$f.t" 90 "$JAVA" "${JFLAGS[@]}" -jar "$B/app/vigil.jar" doctor > "$f.txt" 2>&1
  local rc=$?
  cat "$f.txt"
  NOTE[doctor]="rc $rc; $(grep -m 1 -E '^Backend' "$f.txt" | cut -c 1-110)"
}

step_tests() {
  section "GPU contract tests ($GPU_TEST_PATTERN, vigil.gpu=$([[ $GPU_REQUIRED == 1 ]] && echo required || echo optional))"
  local dirs="" d f=$WORK/junit
  for d in "$B"/test/*-classes; do [[ -d $d ]] && dirs+=${dirs:+:}$d; done
  if [[ -z $dirs ]]; then echo "no test classes in the bundle"; NOTE[tests]="no test classes in the bundle"; TESTS_RC=2; return; fi
  local props=()
  [[ $GPU_REQUIRED == 1 ]] && props+=(-Dvigil.gpu=required)
  mkdir -p "$OUT/junit"
  timed "$f.t" "$(( $(left) > 240 ? 240 : ( $(left) < 60 ? 60 : $(left) ) ))" \
    "$JAVA" "${JFLAGS[@]}" "${props[@]}" -cp "$(classpath test)" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
      --exclude-engine=junit-vintage --exclude-engine=junit-platform-suite \
      --scan-classpath "$dirs" --include-classname "$GPU_TEST_PATTERN" --reports-dir "$OUT/junit" > "$f.txt" 2>&1
  TESTS_RC=$?
  cat "$f.txt"
  local ok failed skipped aborted found
  ok=$(awk '/tests successful/ { print $2 }' "$f.txt"); failed=$(awk '/tests failed/ { print $2 }' "$f.txt")
  skipped=$(awk '/tests skipped/ { print $2 }' "$f.txt"); aborted=$(awk '/tests aborted/ { print $2 }' "$f.txt")
  found=$(awk '/tests found/ { print $2 }' "$f.txt")
  local cfailed; cfailed=$(awk '/containers failed/ { print $2 }' "$f.txt")
  [[ -n $cfailed && $cfailed != 0 ]] && cfailed=" (+ $cfailed test classes failed before their tests)" || cfailed=""
  if [[ $TESTS_RC == 0 && $GPU_REQUIRED == 1 && ${ok:-0} == 0 ]]; then
    TESTS_RC=3   # every GPU test skipped itself although the GPU was required: that proves nothing
  fi
  case $TESTS_RC in
    0) NOTE[tests]="PASS: ${ok:-?} passed, ${failed:-0} failed, ${skipped:-0} disabled, ${aborted:-0} skipped by assumption" ;;
    3) NOTE[tests]="FAIL: no GPU test passed although vigil.gpu=required (${aborted:-0} skipped by assumption, ${skipped:-0} disabled)" ;;
    2) NOTE[tests]="NONE: no class matching $GPU_TEST_PATTERN ran (found ${found:-0})" ;;
    124|137) NOTE[tests]="TIMEOUT (thread dump above): ${ok:-?} passed before it" ;;
    *) NOTE[tests]="FAIL (rc $TESTS_RC): ${ok:-0} passed, ${failed:-?} failed$cfailed, ${skipped:-0} disabled, ${aborted:-0} skipped by assumption" ;;
  esac
}

STREAMSBENCH_OK=1
bench() {   # bench LOGNAME TIMEOUT ARGS...
  local name=$1 limit=$2; shift 2
  timed "$WORK/$name.t" "$limit" "$JAVA" "${JFLAGS[@]}" -cp "$(classpath bench)" io.vigil.bench.StreamsBench "$@" \
    > "$WORK/$name.txt" 2>&1
  local rc=$?
  cat "$WORK/$name.txt"
  if grep -q 'Could not find or load main class' "$WORK/$name.txt"; then STREAMSBENCH_OK=0; fi
  return "$rc"
}

step_clip() {
  section "clip: ${CLIP_SECONDS} s of 1080p30 H.264 (vigil ClipWriter)"
  if bench make-clip 180 --make-clip "$CLIP" --seconds "$CLIP_SECONDS" && [[ -s $CLIP ]]; then
    NOTE[clip]="ClipWriter, $(( $(stat -c %s "$CLIP") / 1024 )) KiB in $(awk '{ print $2 }' "$WORK/make-clip.t") s"
  else
    echo "StreamsBench --make-clip failed$([[ $STREAMSBENCH_OK == 0 ]] && echo ': StreamsBench is not in this bundle')"
    rm -f "$CLIP"
    if ffmpeg_bin && timeout 180 "$FFMPEG" -hide_banner -loglevel error -y -f lavfi \
        -i "testsrc2=size=1920x1080:rate=30" -t "$CLIP_SECONDS" -c:v libopenh264 -b:v 8M -pix_fmt yuv420p "$CLIP"; then
      NOTE[clip]="made by the bundled ffmpeg (StreamsBench --make-clip failed)"
    else
      NOTE[clip]="FAILED: no clip, no benchmark"
    fi
  fi
}

FFMPEG=""
ffmpeg_bin() {   # extracts the ffmpeg executable of the bytedeco FFmpeg jar (RUNPATH $ORIGIN: its libraries beside it)
  [[ -n $FFMPEG ]] && return 0
  local jar="" j dir=$B/cache/ffmpeg
  for j in "$B"/app/lib/ffmpeg-*-linux-x86_64.jar; do [[ -f $j ]] && jar=$j; done
  [[ -n $jar ]] || { echo "ffmpeg: no linux-x86_64 FFmpeg jar in the bundle"; return 1; }
  mkdir -p "$dir"
  if [[ ! -x $dir/ffmpeg ]]; then
    if have unzip; then
      unzip -q -o -j "$jar" 'org/bytedeco/ffmpeg/linux-x86_64/*' -d "$dir"
    elif have python3; then
      python3 - "$jar" "$dir" <<'EOF'
import os, sys, zipfile
jar, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar) as z:
    for n in z.namelist():
        if n.startswith('org/bytedeco/ffmpeg/linux-x86_64/') and not n.endswith('/'):
            with open(os.path.join(out, os.path.basename(n)), 'wb') as f:
                f.write(z.read(n))
EOF
    else
      echo "ffmpeg: neither unzip nor python3 here to take it out of the jar"; return 1
    fi
    chmod +x "$dir/ffmpeg" 2>/dev/null
  fi
  if ! "$dir/ffmpeg" -hide_banner -version > "$WORK/ffmpeg-version.txt" 2>&1; then
    echo "ffmpeg: the bundled executable does not run here:"; head -n 3 "$WORK/ffmpeg-version.txt"; return 1
  fi
  FFMPEG=$dir/ffmpeg
}

step_ffmpeg() {
  section "ffmpeg NVDEC yardstick (decode only, frames stay on the GPU)"
  [[ -s $CLIP ]] || { echo "no clip"; NOTE[ffmpeg]="skipped: no clip"; return; }
  ffmpeg_bin || { NOTE[ffmpeg]="skipped: bundled ffmpeg unusable here"; return; }
  "$FFMPEG" -hide_banner -hwaccels 2>&1 | tr '\n' ' '; echo
  local frames=$(( CLIP_SECONDS * 30 )) n=$FFMPEG_PARALLEL i start wall fails=0
  local args=(-hide_banner -nostats -loglevel error -hwaccel cuda -hwaccel_output_format cuda -i "$CLIP" -an -f null -)
  # One decode first: it shows the error if NVDEC does not work at all.
  if ! timeout 60 "$FFMPEG" "${args[@]}" > "$WORK/ffmpeg-1.txt" 2>&1; then
    cat "$WORK/ffmpeg-1.txt"; NOTE[ffmpeg]="NVDEC decode FAILED: $(grep -v '^\s*$' "$WORK/ffmpeg-1.txt" | tail -n 1 | cut -c 1-100)"
    return
  fi
  start=$(date +%s.%N)
  timeout 60 "$FFMPEG" "${args[@]}" > /dev/null 2>&1
  wall=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
  local one; one=$(awk -v f="$frames" -v w="$wall" 'BEGIN { printf "%.0f", f / w }')
  start=$(date +%s.%N)
  local pids=()
  for (( i = 0; i < n; i++ )); do timeout 120 "$FFMPEG" "${args[@]}" > /dev/null 2>&1 & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i" || fails=$(( fails + 1 )); done
  wall=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
  local many; many=$(awk -v f="$frames" -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", f * n / w }')
  echo "1 decode: $one fps;  $n at once: $many fps in total ($fails failed), $wall s"
  NOTE[ffmpeg]="ffmpeg NVDEC decode-only: 1 stream $one fps; $n at once $many fps total = $(( many / 30 )) streams of 1080p30"
}

DMON_PID=""
dmon_start() {
  have nvidia-smi || return 0
  nvidia-smi dmon -s u -o T -d 1 > "$DMON" 2>&1 &
  DMON_PID=$!
}
dmon_lines() { if [[ -f $DMON ]]; then wc -l < "$DMON"; else echo 0; fi; }
dmon_stop() { [[ -n $DMON_PID ]] && kill "$DMON_PID" 2>/dev/null; wait "$DMON_PID" 2>/dev/null; DMON_PID=""; }
# Largest sm% and dec% that dmon saw between two line numbers of its output ("-" when unknown).
dmon_peak() {
  [[ -s $DMON ]] || { echo "- -"; return; }
  awk -v a="$1" -v b="$2" '
    /^#/ { h = substr($0, 2); if (h ~ /(^| )gpu( |$)/) { n = split(h, f); for (i = 1; i <= n; i++) col[f[i]] = i }; next }
    NR > a && NR <= b && col["sm"] {
      if ($(col["sm"]) + 0 > sm) sm = $(col["sm"]) + 0
      if (col["dec"] && $(col["dec"]) + 0 > dec) dec = $(col["dec"]) + 0
      seen = 1 }
    END { if (seen) print sm, dec; else print "- -" }' "$DMON"
}

# vigil doctor's NVML lines (NVDEC, SM, memory, power, throttling, ECC per GPU) taken DELAY s into a run, in the
# background, so that they show the GPU under the run's load; nvml_show prints them once the run is over.
nvml_snapshot() {
  local delay=$1 file=$2
  rm -f "$file"
  ( sleep "$delay"; timeout 60 "$JAVA" "${JFLAGS[@]}" -jar "$B/app/vigil.jar" doctor 2>&1 | grep '^NVML' > "$file" ) &
  NVML_PID=$!
}
nvml_show() {
  [[ -n ${NVML_PID:-} ]] && wait "$NVML_PID" 2>/dev/null
  NVML_PID=""
  [[ -s $1 ]] && { echo "NVML 8 s into the run:"; cat "$1"; }
  return 0
}

# One benchmark run; appends a table row; returns 0 when it kept real time at all streams on the wanted backend.
bench_row() {
  local backend=$1 n=$2 name="bench-$1-$2" limit lines0 lines1
  limit=$(( $(left) - 5 ))
  (( limit > RUN_TIMEOUT )) && limit=$RUN_TIMEOUT
  if (( limit < 20 )); then
    ROWS+=("$(printf '%-7s %7s  %s' "$backend" "$n" "skipped: the check's time budget is spent")"); return 2
  fi
  section "StreamsBench --backend $backend --streams $n"
  lines0=$(dmon_lines)
  [[ $backend == gpu ]] && nvml_snapshot 8 "$WORK/$name.nvml"
  bench "$name" "$limit" --backend "$backend" --streams "$n" --seconds "$CLIP_SECONDS" "$CLIP"
  local rc=$?
  lines1=$(dmon_lines)
  nvml_show "$WORK/$name.nvml"
  local f=$WORK/$name.txt wall user sys cores peak got rt fps kms d2h failed decoder stats result
  read -r _ wall user sys < "$WORK/$name.t"
  cores=$(awk -v u="$user" -v s="$sys" -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", (u + s) / w; else print "-" }')
  peak=$(dmon_peak "$lines0" "$lines1")
  got=$(val backend "$f"); rt=$(val realtime_streams "$f"); fps=$(val total_fps "$f")
  kms=$(val kernel_ms_per_frame "$f"); d2h=$(val d2h_bytes_per_frame "$f"); failed=$(val failed_streams "$f")
  decoder=$(val decoder "$f"); stats=$(val statistics "$f")
  if (( rc == 124 || rc == 137 )); then result="TIMEOUT after ${limit}s"
  elif (( rc != 0 )); then result="FAILED rc $rc: $(first_error "$f")"
  elif [[ $got != "$backend" ]]; then result="RAN ON ${got:-?}: $(val cpu_because "$f" | cut -c 1-70)"
  elif [[ -n $failed && $failed != 0 ]]; then result="$failed streams failed: $(first_error "$f")"
  elif [[ $backend == gpu && ( $decoder == *cpu* || $stats == *cpu* ) ]]; then
    result="not all on the GPU: decoder $decoder, statistics $stats"
  elif [[ -n $rt && $rt -lt $n ]]; then result="real time lost"
  else result="ok"
  fi
  # shellcheck disable=SC2086  # $peak is two numbers: sm% and dec%
  ROWS+=("$(printf '%-7s %7s %8s %9s %8s %8s %6s %5s %4s %4s  %s' "$backend" "$n" "${rt:--}" "${fps:--}" \
    "${kms:--}" "${d2h:--}" "$wall" "$cores" $peak "$result")")
  [[ $backend == gpu && $got == gpu && $rc == 0 ]] && GPU_OK_RUNS=$(( GPU_OK_RUNS + 1 ))
  [[ $result == ok ]]
}

step_gpu() {
  [[ -s $CLIP ]] || { ROWS+=("gpu     skipped: no clip"); return; }
  (( STREAMSBENCH_OK )) || { ROWS+=("gpu     skipped: StreamsBench is not in this bundle"); return; }
  dmon_start
  local n
  for n in $GPU_LADDER; do
    bench_row gpu "$n" || break   # stop climbing at the first run that lost real time (or failed)
  done
  dmon_stop
}

step_cpu() {
  [[ -s $CLIP ]] || { ROWS+=("cpu     skipped: no clip"); return; }
  (( STREAMSBENCH_OK )) || { ROWS+=("cpu     skipped: StreamsBench is not in this bundle"); return; }
  local n
  for n in $CPU_STREAMS; do bench_row cpu "$n"; done
}

crash_logs() {
  local f
  for f in "$WORK"/hs_err_*.log; do
    [[ -f $f ]] || continue
    section "JVM crash log $(basename "$f") (first 60 lines)"
    head -n 60 "$f"
  done
}

table() {
  echo
  echo "===== vigil GPU check: summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), ${SECONDS} s)"
  printf '%-9s %s\n' gpu "${NOTE[gpu]:--}, driver ${NOTE[driver]:--}, CUDA ${NOTE[cuda]:--}${NOTE[libs]:+; ${NOTE[libs]}}"
  printf '%-9s %s\n' doctor "${NOTE[doctor]:-not run}"
  printf '%-9s %s\n' tests "${NOTE[tests]:-not run}"
  printf '%-9s %s\n' clip "${NOTE[clip]:-not run}"
  printf '%-9s %s\n' ffmpeg "${NOTE[ffmpeg]:-not run}"
  if (( ${#ROWS[@]} )); then
    printf '%-7s %7s %8s %9s %8s %8s %6s %5s %4s %4s  %s\n' backend streams realtime total_fps kern_ms d2h_B \
      wall_s cores sm% dec% result
    printf '%s\n' "${ROWS[@]}"
    echo "(kern_ms: kernel ms per frame; d2h_B: bytes to the host per frame; cores: CPU seconds per second;"
    echo " sm%/dec%: peak GPU and NVDEC use from nvidia-smi dmon; realtime: streams of 30 fps the total rate covers)"
  fi
}

main() {
  local steps=("$@") s
  (( ${#steps[@]} )) || steps=("${ALL_STEPS[@]}")
  for s in "${steps[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || { echo "unknown step '$s'; steps: ${ALL_STEPS[*]}" >&2; return 2; }
  done
  echo "vigil GPU check: steps ${steps[*]}; ladder gpu [$GPU_LADDER] cpu [$CPU_STREAMS]; clip ${CLIP_SECONDS}s; budget ${BUDGET}s"
  for s in "${steps[@]}"; do
    if [[ $s == clip || $s == ffmpeg || $s == gpu || $s == cpu ]] && (( $(left) < 20 )); then
      NOTE[$s]="skipped: the check's time budget is spent"
      [[ $s == gpu || $s == cpu ]] && ROWS+=("$(printf '%-7s %7s  %s' "$s" - "${NOTE[$s]}")")
      continue
    fi
    "step_$s"
  done
  crash_logs
  table | tee "$SUMMARY"
  local wanted=" ${steps[*]} "
  if [[ $wanted == *" tests "* && $TESTS_RC != 0 ]]; then return 1; fi
  if [[ $wanted == *" gpu "* ]] && (( GPU_OK_RUNS == 0 )); then return 1; fi
  return 0
}

mkdir -p "$OUT" "$WORK" || exit 1
rm -f "$WORK"/hs_err_*.log   # a rerun on the same machine reports only its own crashes
[[ -x $JAVA ]] || { echo "no Java runtime at $JAVA: unpack the whole bundle" >&2; exit 1; }
main "$@" 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
