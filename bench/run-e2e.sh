#!/usr/bin/env bash
# End-to-end benchmark: vigil vs Debian's ffmpeg on the same 1080p30 H.264/AAC clip, plus a memory check.
#
#   bench/run-e2e.sh [DURATION [THREADS [OUT]]]      (or set them as environment variables)
#     DURATION  clip length in seconds (default 60)
#     THREADS   decoder threads for ffmpeg and vigil (default 1)
#     OUT       folder for cached clips and reports (default bench/out)
#     MEM_SIZE  frame size of the memory-check clips, 1 min and 10 min (default 640x360; 1920x1080 costs ~10x more)
#     VIGIL     the vigil command (default ./vigil at the repository root, which builds itself on first use)
#     BASELINE  another vigil command to compare with in the same run (e.g. a copy of the jar before a change):
#               its rows base-none and base-all run right after vigil-none and vigil-all, and the ratios
#               between the two are printed; unset: no baseline rows
#     MEMORY    0 skips the memory check (1 and 10 minute clips); default 1
#
# Needs ffmpeg (with libx264) and GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
DURATION=${1:-${DURATION:-60}}
THREADS=${2:-${THREADS:-1}}
OUT=${3:-${OUT:-$ROOT/bench/out}}
MEM_SIZE=${MEM_SIZE:-640x360}
VIGIL=${VIGIL:-$ROOT/vigil}
BASELINE=${BASELINE:-}
MEMORY=${MEMORY:-1}
RUNS=3
FPS=30

die() { echo "run-e2e: $*" >&2; exit 1; }
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || die "DURATION must be a whole number of seconds, got '$DURATION'"
[[ $THREADS =~ ^[0-9]+$ && $THREADS -gt 0 ]] || die "THREADS must be a positive whole number, got '$THREADS'"
command -v ffmpeg >/dev/null || die "ffmpeg not found (apt-get install ffmpeg)"
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"
[[ $(ffmpeg -hide_banner -encoders 2>/dev/null) == *libx264* ]] || die "this ffmpeg has no libx264 encoder"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
REPORT=$OUT/e2e-$(date +%Y%m%d-%H%M%S).txt
LOGS=$OUT/logs
mkdir -p "$LOGS"
exec > >(tee "$REPORT") 2>&1
TEE_PID=$!

first_line() { local s; s=$("$@" 2>&1) || true; echo "${s%%$'\n'*}"; }

# ---- clips (cached) --------------------------------------------------------------------------------------------
# testsrc2 moves on its own; temporal noise makes every frame different so the encoder cannot coast (~14 Mbit/s
# at 1080p). Audio: two tones plus a little noise, one per channel.
make_clip() {  # SIZE SECONDS -> prints the path
  local size=$1 secs=$2 path=$OUT/clip-$1-$2s.mp4
  if [[ ! -s $path ]]; then
    echo "run-e2e: generating $path (once)..." >&2
    ffmpeg -hide_banner -nostats -loglevel error -y \
      -f lavfi -i "testsrc2=s=$size:r=$FPS:d=$secs" \
      -f lavfi -i "aevalsrc=0.25*sin(2*PI*440*t)+0.05*(2*random(0)-1)|0.25*sin(2*PI*554*t)+0.05*(2*random(1)-1):s=48000:c=stereo:d=$secs" \
      -vf "noise=alls=8:allf=t" -c:v libx264 -preset veryfast -crf 23 -g 60 -pix_fmt yuv420p \
      -c:a aac -b:a 128k -shortest -f mp4 "$path.part" </dev/null || die "could not generate $path"
    mv "$path.part" "$path"
  fi
  echo "$path"
}

video_frames() {  # from the container header: no decoding
  ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 "$1" || true
}

# ---- measurement -----------------------------------------------------------------------------------------------
# measure NAME FRAMES CMD...: runs CMD $RUNS times; sets BEST_WALL (lowest wall s) and BEST_CPU (user + system
# seconds of that run: vigil analyses on a thread beside the decoder), PEAK_KIB (highest max RSS),
# and VIGIL_FRAMES (the "frames" of the last summary object on stdout, if any).
declare -A FPS_OF
measure() {
  local name=$1 frames=$2 i wall rss user sys rc
  shift 2
  BEST_WALL="" PEAK_KIB=0 BEST_CPU=0
  for ((i = 1; i <= RUNS; i++)); do
    rc=0
    /usr/bin/time -f '%e %M %U %S' -o "$LOGS/$name.time" "$@" >"$LOGS/$name.stdout" 2>"$LOGS/$name.stderr" </dev/null || rc=$?
    if (( rc != 0 )); then
      echo "run-e2e: '$name' failed (run $i, exit code $rc): $*" >&2
      tail -n 20 "$LOGS/$name.stderr" >&2
      die "'$name' exited with $rc; full logs in $LOGS/$name.{stdout,stderr}"
    fi
    read -r wall rss user sys < <(tail -n 1 "$LOGS/$name.time")
    if [[ -z $BEST_WALL ]] || awk -v a="$wall" -v b="$BEST_WALL" 'BEGIN { exit !(a < b) }'; then
      BEST_WALL=$wall
      BEST_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    fi
    (( rss > PEAK_KIB )) && PEAK_KIB=$rss
  done
  VIGIL_FRAMES=$(grep '"type" *: *"summary"' "$LOGS/$name.stdout" | sed -n 's/.*"frames" *: *\([0-9][0-9]*\).*/\1/p' | tail -n 1 || true)
  if [[ -n $VIGIL_FRAMES && $VIGIL_FRAMES != "$frames" ]]; then
    echo "run-e2e: note: '$name' reports $VIGIL_FRAMES frames, the clip has $frames" >&2
  fi
  awk -v n="$name" -v w="$BEST_WALL" -v f="$frames" -v r="$PEAK_KIB" -v c="$BEST_CPU" \
    'BEGIN { printf "%-16s %8.2f %9.1f %12.1f %8.2f\n", n, w, (w > 0 ? f / w : 0), r / 1024, c }'
  FPS_OF[$name]=$(awk -v w="$BEST_WALL" -v f="$frames" 'BEGIN { print (w > 0 ? f / w : 0) }')
}

ratio() {  # LABEL NUM DEN [OP AIM [NOTE]]: prints NUM/DEN and, given OP (>=, > or <=) and AIM, whether it is met
  awk -v l="$1" -v a="$2" -v b="$3" -v op="${4:-}" -v t="${5:-}" -v note="${6:-}" 'BEGIN {
    r = (b > 0 ? a / b : 0); v = ""
    if (op != "") {
      ok = (op == ">=" ? r >= t : op == ">" ? r > t : r <= t)
      v = sprintf("   (aim %s %s%s: %s)", op, t, note, ok ? "ok" : "MISSED")
    }
    printf "%-34s %6.2f%s\n", l, r, v }'
}

# ---- header ----------------------------------------------------------------------------------------------------
echo "vigil end-to-end benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "ffmpeg:   $(first_line ffmpeg -version)   (Debian's build: the ffmpeg rows below)"
"$VIGIL" --version >/dev/null 2>&1 </dev/null || die "'$VIGIL --version' failed (build or CLI problem); run it by hand to see why"
# VIGIL_JAVA_OPTS=-version makes the launcher's JVM print its version and exit.
java_line=$(VIGIL_JAVA_OPTS=-version "$VIGIL" 2>&1 </dev/null || true)
echo "java:     $(grep -m1 ' version ' <<<"$java_line" || echo unknown)"
ff_jar=$(find "$ROOT/engine/cli/target/lib" -maxdepth 1 -name 'ffmpeg-[0-9]*.jar' 2>/dev/null | head -n 1 || true)
ff_ver=$(basename "${ff_jar:-ffmpeg-8.0.1-1.5.13.jar}" .jar)
ff_ver=${ff_ver#ffmpeg-}
echo "vigil:    $(first_line "$VIGIL" --version); decodes with FFmpeg ${ff_ver%%-*} (bytedeco), not Debian's ffmpeg,"
echo "          so decode-only rows compare two FFmpeg versions as well as two programs."
if [[ -n $BASELINE ]]; then
  "$BASELINE" --version >/dev/null 2>&1 </dev/null || die "'$BASELINE --version' failed: BASELINE must be a vigil command"
  echo "baseline: $BASELINE (rows base-none, base-all)"
fi
echo "settings: DURATION=${DURATION}s THREADS=$THREADS, best wall time of $RUNS runs, peak RSS = max of the runs"
echo

CLIP=$(make_clip 1920x1080 "$DURATION")
FRAMES=$(video_frames "$CLIP")
[[ $FRAMES =~ ^[0-9]+$ ]] || FRAMES=$((DURATION * FPS))
echo "input:    $CLIP ($FRAMES frames, $(du -h "$CLIP" | cut -f1))"
echo
printf '%-16s %8s %9s %12s %8s\n' name "wall s" fps "peak MiB" "cpu s"

FF=(ffmpeg -hide_banner -nostats -threads "$THREADS" -i "$CLIP")
measure ffmpeg-decode  "$FRAMES" "${FF[@]}" -f null -
measure ffmpeg-filters "$FRAMES" "${FF[@]}" -vf blackdetect,freezedetect -af silencedetect -f null -
measure vigil-none     "$FRAMES" "$VIGIL" analyze "$CLIP" --format jsonl --threads "$THREADS" --detectors none
[[ -z $BASELINE ]] || measure base-none "$FRAMES" "$BASELINE" analyze "$CLIP" --format jsonl --threads "$THREADS" --detectors none
measure vigil-3det     "$FRAMES" "$VIGIL" analyze "$CLIP" --format jsonl --threads "$THREADS" --detectors black,freeze,silence
# Every detector vigil has, beside FFmpeg's analysis filters that cover the same ground (issue 4's comparison).
measure ffmpeg-all     "$FRAMES" "${FF[@]}" -vf blackdetect,freezedetect,blockdetect,blurdetect,signalstats \
  -af silencedetect,ebur128=peak=true,astats -f null -
measure vigil-all      "$FRAMES" "$VIGIL" analyze "$CLIP" --format jsonl --threads "$THREADS" --detectors all
[[ -z $BASELINE ]] || measure base-all "$FRAMES" "$BASELINE" analyze "$CLIP" --format jsonl --threads "$THREADS" --detectors all

echo
ratio "vigil-3det / vigil-none fps"     "${FPS_OF[vigil-3det]}" "${FPS_OF[vigil-none]}"     ">=" 0.9
ratio "vigil-3det / ffmpeg-filters fps" "${FPS_OF[vigil-3det]}" "${FPS_OF[ffmpeg-filters]}" ">"  1
ratio "vigil-none / ffmpeg-decode fps"  "${FPS_OF[vigil-none]}" "${FPS_OF[ffmpeg-decode]}"
ratio "vigil-all / ffmpeg-all fps"      "${FPS_OF[vigil-all]}" "${FPS_OF[ffmpeg-all]}"      ">=" 5
ratio "vigil-all / vigil-none fps"      "${FPS_OF[vigil-all]}" "${FPS_OF[vigil-none]}"
if [[ -n $BASELINE ]]; then
  ratio "base-none / ffmpeg-decode fps"   "${FPS_OF[base-none]}" "${FPS_OF[ffmpeg-decode]}"
  ratio "base-all / ffmpeg-all fps"       "${FPS_OF[base-all]}" "${FPS_OF[ffmpeg-all]}"
  ratio "base-all / base-none fps"        "${FPS_OF[base-all]}" "${FPS_OF[base-none]}"
  ratio "vigil-none / base-none fps"      "${FPS_OF[vigil-none]}" "${FPS_OF[base-none]}"
  ratio "vigil-all / base-all fps"        "${FPS_OF[vigil-all]}" "${FPS_OF[base-all]}"
fi

# ---- memory: peak RSS must not grow with input length ----------------------------------------------------------
if [[ $MEMORY == 0 ]]; then
  echo; echo "memory check skipped (MEMORY=0)"; echo "report: $REPORT"
  exec >&- 2>&-; wait "$TEE_PID" 2>/dev/null || true; exit 0
fi
echo
echo "memory check: vigil --detectors black,freeze,silence on 1-minute and 10-minute clips at $MEM_SIZE"
[[ $MEM_SIZE == 1920x1080 ]] || echo "(smaller than 1080p to keep clip generation quick; MEM_SIZE=1920x1080 for full size)"
SHORT=$(make_clip "$MEM_SIZE" 60)
LONG=$(make_clip "$MEM_SIZE" 600)
RUNS=1
printf '%-16s %8s %9s %12s %8s\n' name "wall s" fps "peak MiB" "cpu s"
measure mem-1min  "$(video_frames "$SHORT")" "$VIGIL" analyze "$SHORT" --format jsonl --threads "$THREADS" --detectors black,freeze,silence
RSS_SHORT=$PEAK_KIB
measure mem-10min "$(video_frames "$LONG")"  "$VIGIL" analyze "$LONG"  --format jsonl --threads "$THREADS" --detectors black,freeze,silence
RSS_LONG=$PEAK_KIB
ratio "peak RSS 10 min / 1 min" "$RSS_LONG" "$RSS_SHORT" "<=" 1.2 ", must not grow with length"

echo
echo "report: $REPORT"
exec >&- 2>&-
wait "$TEE_PID" 2>/dev/null || true
