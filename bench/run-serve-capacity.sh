#!/usr/bin/env bash
# Streams-per-process benchmark of `vigil serve`: N live 30 fps MPEG-TS streams over UDP on loopback (ffmpeg -re
# looping a pre-encoded clip with -c copy, so the sources cost next to nothing), every detector on, for a given time.
# Reports whether frames were dropped, RSS over time, fps, and frame-to-alarm latency p50/p99 (from /metrics; the
# histogram's bucket bounds, 5 ms .. 10 s). Each loop of the 20 s clip holds a 4 s black stretch and a 3 s silence,
# so every stream raises black, freeze, signal_loss and silence alarms every 20 s.
#
#   bench/run-serve-capacity.sh SIZE N [SECONDS [OUT]]
#     SIZE     360p (640x360) or 1080p (1920x1080)
#     N        number of streams
#     SECONDS  how long to watch them (default 300)
#     OUT      folder for the cached clips and the report (default bench/out)
#     VIGIL    the vigil command (default ./vigil, which builds itself on first use); VIGIL_JAVA_OPTS go to its JVM
#     THREADS  decoder threads per stream (default 1)
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SIZE=${1:?usage: run-serve-capacity.sh 360p|1080p N [SECONDS [OUT]]}
N=${2:?usage: run-serve-capacity.sh 360p|1080p N [SECONDS [OUT]]}
SECONDS_TO_RUN=${3:-300}
OUT=${4:-$ROOT/bench/out}
VIGIL=${VIGIL:-$ROOT/vigil}
THREADS=${THREADS:-1}
FPS=30
die() { echo "run-serve-capacity: $*" >&2; exit 1; }
case $SIZE in
  360p) DIM=640x360 ;;
  1080p) DIM=1920x1080 ;;
  *) die "SIZE must be 360p or 1080p, got '$SIZE'" ;;
esac
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] || die "N must be a positive whole number, got '$N'"
[[ $SECONDS_TO_RUN =~ ^[0-9]+$ && $SECONDS_TO_RUN -ge 20 ]] || die "SECONDS must be at least 20, got '$SECONDS_TO_RUN'"
command -v ffmpeg >/dev/null || die "ffmpeg not found (apt-get install ffmpeg)"
command -v curl >/dev/null || die "curl not found"

mkdir -p "$OUT"
CLIP=$OUT/serve-$SIZE.ts
if [[ ! -s $CLIP ]]; then
  echo "making $CLIP (20 s, $DIM, $FPS fps, black 8-12 s, silence 14-17 s)"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=$DIM:r=$FPS:d=20" \
    -f lavfi -i "sine=f=440:r=48000:d=20" \
    -vf "lutyuv=y=16:u=128:v=128:enable='gte(t,8)*lt(t,12)'" -af "volume=0:enable='gte(t,14)*lt(t,17)',volume=0.25" \
    -c:v libx264 -preset veryfast -g $FPS -pix_fmt yuv420p -b:v $([[ $SIZE == 1080p ]] && echo 6M || echo 1500k) \
    -c:a aac -b:a 128k -ac 2 -f mpegts "$CLIP.tmp" && mv "$CLIP.tmp" "$CLIP"
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$((20000 + RANDOM % 20000))
API=$((PORT - 1))
{
  echo "server: {bind: 127.0.0.1, port: $API}"
  echo "limits: {hosts: {allow: [127.0.0.1/32]}}   # the sources are on loopback"
  echo "defaults:"
  echo "  decode: {threads: $THREADS, ioTimeout: 10}"
  echo "  detectors: {brng: {enabled: true}}"
  echo "streams:"
  for i in $(seq 1 "$N"); do echo "  - {id: s$i, url: \"udp://127.0.0.1:$((PORT + 2 * i))?fifo_size=100000&overrun_nonfatal=1\"}"; done
} > "$WORK/serve.yaml"

"$VIGIL" serve --config "$WORK/serve.yaml" > "$WORK/vigil.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$API/health/live" >/dev/null 2>&1 && break
  kill -0 "$VPID" 2>/dev/null || { cat "$WORK/vigil.log"; die "vigil serve did not start"; }
  sleep 0.5
done
JPID=$(pgrep -P "$VPID" java || echo "$VPID")
sleep 1
for i in $(seq 1 "$N"); do
  ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$CLIP" -c copy \
    -f mpegts "udp://127.0.0.1:$((PORT + 2 * i))?pkt_size=1316" > "$WORK/src$i.log" 2>&1 &
  PIDS+=("$!")
done

REPORT=$OUT/serve-capacity-$SIZE-$N.txt
echo "vigil serve: $N x $SIZE ($DIM) $FPS fps live UDP streams, every detector, $SECONDS_TO_RUN s, $(nproc) cores, $(uname -r)" | tee "$REPORT"
echo "t_s  rss_MiB  frames_total  dropped_total  decode_errors  fps_min  fps_max  states" | tee -a "$REPORT"
START=$(date +%s)
while :; do
  NOW=$(date +%s)
  T=$((NOW - START))
  RSS=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$JPID/status" 2>/dev/null || echo "?")
  curl -sf "http://127.0.0.1:$API/api/streams" | python3 -c '
import json, sys
s = json.load(sys.stdin)
fps = [x["fps"] for x in s]
states = {}
for x in s: states[x["state"]] = states.get(x["state"], 0) + 1
print(sum(x["frames"] for x in s), sum(x["droppedFrames"] for x in s), sum(x["decodeErrors"] for x in s),
      min(fps), max(fps), ",".join(f"{k}={v}" for k, v in sorted(states.items())))' | \
    awk -v t="$T" -v rss="$RSS" '{printf "%-4s %-8s %-13s %-14s %-14s %-8s %-8s %s\n", t, rss, $1, $2, $3, $4, $5, $6}' | tee -a "$REPORT"
  (( T >= SECONDS_TO_RUN )) && break
  sleep 10
done
curl -sf "http://127.0.0.1:$API/metrics" > "$WORK/metrics.txt"
python3 - "$WORK/metrics.txt" <<'PY' | tee -a "$REPORT"
import re, sys
buckets = {}
alarms = 0
for line in open(sys.argv[1]):
    m = re.match(r'vigil_frame_to_alarm_latency_seconds_bucket\{.*le="([^"]+)".*\} (\S+)', line)
    if m:
        le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
        buckets[le] = buckets.get(le, 0) + float(m.group(2))
    m = re.match(r'vigil_alarms_total\{.*\} (\S+)', line)
    if m:
        alarms += float(m.group(1))
bounds = sorted(buckets)
total = buckets[bounds[-1]] if bounds else 0
def q(p):
    for b in bounds:
        if buckets[b] >= p * total:
            return b
    return float("nan")
if total:
    print(f"frame-to-alarm latency: {int(total)} alarms timed; p50 <= {q(0.5)*1000:.0f} ms, p99 <= {q(0.99)*1000:.0f} ms (histogram bucket bounds)")
else:
    print("frame-to-alarm latency: no alarm timed")
print(f"alarms raised: {int(alarms)}")
PY
echo "report: $REPORT"
