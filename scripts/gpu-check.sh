#!/usr/bin/env bash
# The DeepStream backend's check on a real GPU: what cannot be verified where ds-kafka is developed (no GPU,
# no SDK). Needs a Linux machine with an NVIDIA GPU + driver, Docker with the NVIDIA Container Toolkit, access
# to nvcr.io and Docker Hub. ~10 minutes once the images are pulled and built (a first run also pulls the
# DeepStream images and builds the TensorRT engine once; it is kept in a Docker volume).
#
#   scripts/gpu-check.sh [--ds-version 7.1] [--kafka-port 19092] [--skip-build] [--keep]
#
# It builds ds-kafka's DeepStream image (docker/build.sh), starts a local Kafka (apache/kafka:4.1.1, host
# network), runs NVIDIA's deepstream-nvdsanalytics-test (built from the SDK image's sources, its EGL sink
# replaced by fakesink for a headless run) and `ds-kafka run --backend deepstream` on the same sample with the
# same nvinfer / nvtracker / nvdsanalytics configs, and prints one line per check:
#   build                 the image builds for this DeepStream release
#   version-refusal       built for this release, told it runs in another (DSK_KAFKA_NVDS_VERSION=0.1): refuses
#   lc_cum = reference    final lc_cum per label equals deepstream-nvdsanalytics-test's
#   schema+keys           every message valid against schema/ds-kafka-message.schema.json, key = its deviceId
#   count = report        messages in the topic = messages the run reports
#   extmsg released       the probe's event-meta payloads still allocated after EOS: 0
#   two inputs            two inputs of the same file: each stream's lc_cum = the one-input run's
#   SIGTERM               SIGTERM mid-run: everything the run produced is in the topic
#   test5 drop-in         libnvds_dskafka_msgconv.so as msg-conv-msg2p-lib of deepstream-test5-app: exits 0,
#                         no GStreamer CRITICAL, messages in the topic
# Exit status: 0 when every check passed, 1 otherwise (2: the machine cannot run the check).
set -uo pipefail

ds_version=${DS_VERSION:-7.1}
port=${GPU_CHECK_KAFKA_PORT:-19092}
skip_build=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ds-version) ds_version=$2; shift ;;
    --kafka-port) port=$2; shift ;;
    --skip-build) skip_build=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ds=/opt/nvidia/deepstream/deepstream
app_dir=$ds/sources/apps/sample_apps/deepstream-nvdsanalytics-test
sample_uri=file://$ds/samples/streams/sample_1080p_h264.mp4
tracker_cfg=$ds/samples/configs/deepstream-app/config_tracker_NvDCF_perf.yml
image=ds-kafka:gpucheck-deepstream$ds_version
build_image=${DS_BUILD_IMAGE:-nvcr.io/nvidia/deepstream:$ds_version-triton-multiarch}
kafka_image=apache/kafka:4.1.1
kafka_name=ds-kafka-gpucheck-kafka
engines=ds-kafka-gpucheck-engines-$ds_version
work=$(mktemp -d /tmp/ds-kafka-gpu-check.XXXXXX)
chmod 777 "$work"
failures=0

say() { printf 'gpu-check: %s\n' "$*" >&2; }
result() { # PASS|FAIL name detail
  printf '%s  %-18s %s\n' "$1" "$2" "$3"
  [ "$1" = PASS ] || failures=$((failures + 1))
}
cleanup() {
  docker rm -f "$kafka_name" >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then say "outputs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- preflight ----------------------------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || { say "docker not found"; exit 2; }
docker info >/dev/null 2>&1 || { say "cannot talk to the Docker daemon"; exit 2; }
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 || { say "no NVIDIA GPU / driver (nvidia-smi -L failed)"; exit 2; }

gpu_run() { docker run --rm --gpus all --network host -v "$engines:$ds/samples/models/Primary_Detector" -v "$work:/gpucheck" "$@"; }
# JSON helper: node inside the ds-kafka image (the host needs no node/jq). Script in $1, data on stdin.
# (Outputs of the image's entrypoint start with NVIDIA's banner: only "{..." lines / "key<TAB>value" rows count.)
js() { docker run --rm -i --entrypoint node "$image" -e "$1"; }

# ---- 1. image ---------------------------------------------------------------------------------------------
if [ "$skip_build" = 0 ]; then
  say "building $image (docker/build.sh deepstream --ds-version $ds_version)"
  if "$root/docker/build.sh" deepstream --ds-version "$ds_version" --tag gpucheck >"$work/build.log" 2>&1; then
    result PASS build "ds-kafka:gpucheck-deepstream$ds_version"
  else
    result FAIL build "docker/build.sh failed: $(tail -n 3 "$work/build.log" | tr '\n' ' ')"
    exit 1
  fi
fi
docker image inspect "$image" >/dev/null 2>&1 || { say "image $image not found (run without --skip-build)"; exit 2; }

# ---- Kafka ------------------------------------------------------------------------------------------------
say "starting $kafka_image on localhost:$port"
docker rm -f "$kafka_name" >/dev/null 2>&1 || true
docker run -d --name "$kafka_name" --network host \
  -e KAFKA_NODE_ID=1 -e KAFKA_PROCESS_ROLES=broker,controller \
  -e KAFKA_LISTENERS="PLAINTEXT://localhost:$port,CONTROLLER://localhost:$((port + 1))" \
  -e KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://localhost:$port" \
  -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT \
  -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER -e KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:$((port + 1))" \
  -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
  -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 -e KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
  -e KAFKA_AUTO_CREATE_TOPICS_ENABLE=false "$kafka_image" >/dev/null || { say "cannot start Kafka"; exit 2; }
for _ in $(seq 60); do
  docker exec "$kafka_name" /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server "localhost:$port" >/dev/null 2>&1 && break
  sleep 1
done
for t in one two term test5; do
  docker exec "$kafka_name" /opt/kafka/bin/kafka-topics.sh --bootstrap-server "localhost:$port" --create \
    --if-not-exists --topic "gpucheck-$t" --partitions 1 --replication-factor 1 >/dev/null || { say "cannot create topics"; exit 2; }
done

# ---- the reference app's configs, usable outside its folder ----------------------------------------------
docker volume create "$engines" >/dev/null
gpu_run "$build_image" sh -c "cp $app_dir/config_nvdsanalytics.txt $app_dir/nvdsanalytics_pgie_config.txt /gpucheck/" \
  || { say "cannot read $app_dir from $build_image"; exit 2; }
sed -i "s#\.\./\.\./\.\./\.\./samples/#$ds/samples/#g" "$work/nvdsanalytics_pgie_config.txt"
# One nvinfer config per batch size (1, 2, 3 inputs) whose model-engine-file names the engine nvinfer saves for
# that batch size (<model>_b<N>_gpu0_<precision>.engine, next to the model): built once, then reused from the
# engine volume. Without it (6.x's sample config has no model-engine-file) every run rebuilds the engine.
for b in 1 2 3; do
  awk -v b="$b" '
    NR == FNR { if (/^(onnx-file|model-file|tlt-encoded-model)=/) { sub(/^[^=]*=/, ""); model = $0 }
                if (/^network-mode=/) { sub(/^[^=]*=/, ""); mode = $0 }
                next }
    /^model-engine-file=/ { next }
    { print }
    /^\[property\]/ && model != "" {
      printf "model-engine-file=%s_b%d_gpu0_%s.engine\n", model, b, (mode == 1 ? "int8" : (mode == 2 ? "fp16" : "fp32")) }
  ' "$work/nvdsanalytics_pgie_config.txt" "$work/nvdsanalytics_pgie_config.txt" >"$work/pgie_b$b.txt"
done
# Two streams: the sample's line for stream 0, the same line for stream 1.
{
  cat "$work/config_nvdsanalytics.txt"
  printf '\n'
  sed -n '/^\[line-crossing-stream-0\]/,/^\[/p' "$work/config_nvdsanalytics.txt" | sed '$!b; /^\[/d' \
    | sed 's/^\[line-crossing-stream-0\]/[line-crossing-stream-1]/'
} >"$work/config_nvdsanalytics_2.txt"
cp "$root/config/msgconv_config.txt" "$work/msgconv_config.txt"

# ---- NVIDIA's deepstream-nvdsanalytics-test (reference) ---------------------------------------------------
say "running deepstream-nvdsanalytics-test on $sample_uri (builds the TensorRT engine on a first run)"
gpu_run "$build_image" bash -c "
  set -e
  cd $app_dir
  cp /gpucheck/pgie_b1.txt nvdsanalytics_pgie_config.txt
  sed -i 's/\"nveglglessink\"/\"fakesink\"/; s/\"nv3dsink\"/\"fakesink\"/' deepstream_nvdsanalytics_test.cpp
  cuda=\$(ls -d /usr/local/cuda-* | sed 's#.*/cuda-##' | sort -V | tail -n1)
  make -s CUDA_VER=\$cuda >/dev/null
  ./deepstream-nvdsanalytics-test $sample_uri
" >"$work/reference.log" 2>"$work/reference.err"
ref_rc=$?
# "Frame Number = N of Stream = 0,  ... LineCrossing Cumulative Exit = 12 ..." -> {"Exit":12} (last frame)
ref=$(grep 'of Stream = 0,' "$work/reference.log" | js '
  const lines = require("fs").readFileSync(0, "utf8").split("\n"); const out = {};
  for (const l of lines) for (const m of l.matchAll(/LineCrossing Cumulative (\S+) = (\d+)/g)) out[m[1]] = Number(m[2]);
  process.stdout.write(JSON.stringify(out));')
if [ "$ref_rc" != 0 ] || [ "$ref" = "{}" ] || [ -z "$ref" ]; then
  say "reference app failed (exit $ref_rc): $(tail -n 3 "$work/reference.err" | tr '\n' ' ')"
fi

# ds-kafka run (CLI) on inputs, into topic gpucheck-$1; stdout JSON lines in $work/$1.out
ds_run() { # name analytics-config input...
  local name=$1 analytics=$2; shift 2
  local inputs=()
  for i in "$@"; do inputs+=(-i "$i"); done
  gpu_run --user 0 "$image" run "${inputs[@]}" --analytics-config "/gpucheck/$analytics" \
    --msgconv-config /gpucheck/msgconv_config.txt --infer-config "/gpucheck/pgie_b$#.txt" \
    --tracker-config "$tracker_cfg" --conn-str "localhost;$port;gpucheck-$name" --backend deepstream \
    --log-format json >"$work/$name.out" 2>"$work/$name.err"
}
lc_of() { # name stream -> lcCum JSON of that stream in the run's report
  js "const s = require(\"fs\").readFileSync(0, \"utf8\").split(\"\n\").filter((l) => l.startsWith(\"{\")).map(JSON.parse)
      .find((l) => l.event === \"stream\" && l.streamId === $2); process.stdout.write(JSON.stringify(s ? s.lcCum : null));" <"$work/$1.out"
}
built_of() { js 'const d = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.startsWith("{")).map(JSON.parse).find((l) => l.event === "delivery"); process.stdout.write(String(d ? d.built : -1));' <"$work/$1.out"; }
consume() { # topic-suffix -> $work/$1.tsv (key<TAB>value), exit status of --validate
  docker run --rm --network host "$image" consume --conn-str "localhost;$port;gpucheck-$1" --validate --keys --idle-ms 8000 \
    >"$work/$1.tsv" 2>"$work/$1.consume.err"
}
same_json() { js "const [a, b] = [$1, $2]; const k = (o) => JSON.stringify(Object.keys(o || {}).sort().map((x) => [x, o[x]])); process.exit(a && b && k(a) === k(b) ? 0 : 1);" </dev/null; }

# ---- version refusal --------------------------------------------------------------------------------------
gpu_run --user 0 -e DSK_KAFKA_NVDS_VERSION=0.1 "$image" run -i "$sample_uri" \
  --analytics-config /gpucheck/config_nvdsanalytics.txt --conn-str "localhost;$port;gpucheck-one" --backend deepstream \
  >"$work/refusal.out" 2>"$work/refusal.err"
refusal_rc=$?
if [ "$refusal_rc" != 0 ] && grep -q 'refuses to start' "$work/refusal.err" "$work/refusal.out"; then
  result PASS version-refusal "exit $refusal_rc: $(grep -ho 'built against DeepStream [0-9.]* but running in DeepStream 0.1' "$work/refusal.err" "$work/refusal.out" | head -n1)"
else
  result FAIL version-refusal "exit $refusal_rc, no refusal message"
fi

# ---- one input: lc_cum, schema, keys, count ------------------------------------------------------------------
say "ds-kafka run --backend deepstream, one input"
ds_run one config_nvdsanalytics.txt "$sample_uri"
one_rc=$?
one_lc=$(lc_of one 0)
if [ "$one_rc" = 0 ] && [ -n "$ref" ] && [ "$ref" != "{}" ] && same_json "$one_lc" "$ref"; then
  result PASS "lc_cum = reference" "$one_lc"
else
  result FAIL "lc_cum = reference" "ds-kafka $one_lc (exit $one_rc) vs deepstream-nvdsanalytics-test $ref (exit $ref_rc)"
fi
consume one
valid_rc=$?
keys_bad=$(js 'const rows = require("fs").readFileSync(0, "utf8").split("\n").filter((r) => r.includes("\t"));
  let bad = 0; for (const r of rows) { const i = r.indexOf("\t"); const key = r.slice(0, i); let id;
  try { id = JSON.parse(r.slice(i + 1)).deviceId; } catch { id = undefined; } if (!key || key !== id) bad++; }
  process.stdout.write(rows.length + " " + bad);' <"$work/one.tsv")
n_one=${keys_bad% *}
bad_keys=${keys_bad#* }
if [ "$valid_rc" = 0 ] && [ "$bad_keys" = 0 ] && [ "${n_one:-0}" -gt 0 ]; then
  result PASS schema+keys "$n_one messages valid, each keyed by its deviceId"
else
  result FAIL schema+keys "$n_one messages, validate exit $valid_rc, $bad_keys without key = deviceId"
fi
built_one=$(built_of one)
if [ "$built_one" = "$n_one" ] && [ "$built_one" -gt 0 ]; then
  result PASS "count = report" "$n_one in topic, $built_one reported"
else
  result FAIL "count = report" "$n_one in topic, $built_one reported"
fi

# ---- converter/probe memory after EOS (library API: the eos summary's extMsgLive) ------------------------
gpu_run --user 0 --entrypoint node "$image" --input-type=module -e "
  import { createDeepStreamPipeline, deepstreamBrokerSettings, writeDeepStreamBrokerConfig } from '/opt/ds-kafka/dist/native/deepstream.js';
  import { parseConnStr, defaultKafkaConfig } from '/opt/ds-kafka/dist/config/kafka-config.js';
  const b = deepstreamBrokerSettings(parseConnStr('localhost;$port;gpucheck-one'), defaultKafkaConfig());
  const cfg = writeDeepStreamBrokerConfig(b.configText);
  const p = createDeepStreamPipeline({ inputs: ['$sample_uri'], analyticsConfig: '/gpucheck/config_nvdsanalytics.txt',
    inferConfig: '/gpucheck/pgie_b1.txt', trackerConfig: '$tracker_cfg', connStr: b.connStr,
    topic: 'gpucheck-one', brokerConfig: cfg.path, mappingJson: JSON.stringify({ streams: [] }), frameEvents: false, messageEvents: false });
  await p.start((e) => { if (e.kind === 'eos') { console.log(JSON.stringify(e)); cfg.remove(); } });
" >"$work/extmsg.out" 2>"$work/extmsg.err"
live=$(js 'const l = require("fs").readFileSync(0, "utf8").split("\n").filter((x) => x.startsWith("{")).pop(); try { const e = JSON.parse(l); process.stdout.write(e.messages + " " + e.extMsgLive); } catch { process.stdout.write("? ?"); }' <"$work/extmsg.out")
if [ "${live#* }" = 0 ] && [ "${live% *}" != 0 ] && [ "${live% *}" != "?" ]; then
  result PASS "extmsg released" "${live% *} event metas attached, 0 payloads alive after EOS"
else
  result FAIL "extmsg released" "messages extMsgLive = $live"
fi

# ---- two inputs -----------------------------------------------------------------------------------------------
say "ds-kafka run --backend deepstream, two inputs"
ds_run two config_nvdsanalytics_2.txt "$sample_uri" "$sample_uri"
two_rc=$?
lc0=$(lc_of two 0)
lc1=$(lc_of two 1)
if [ "$two_rc" = 0 ] && same_json "$lc0" "$one_lc" && same_json "$lc1" "$one_lc"; then
  result PASS "two inputs" "stream 0 $lc0, stream 1 $lc1 = one input $one_lc"
else
  result FAIL "two inputs" "stream 0 $lc0, stream 1 $lc1, one input $one_lc (exit $two_rc)"
fi

# ---- SIGTERM mid-run ------------------------------------------------------------------------------------------
say "SIGTERM mid-run"
cid=$(docker run -d --gpus all --network host --user 0 -v "$engines:$ds/samples/models/Primary_Detector" -v "$work:/gpucheck" \
  "$image" run -i "$sample_uri" -i "$sample_uri" -i "$sample_uri" --analytics-config /gpucheck/config_nvdsanalytics_2.txt \
  --msgconv-config /gpucheck/msgconv_config.txt --infer-config /gpucheck/pgie_b3.txt \
  --tracker-config "$tracker_cfg" --conn-str "localhost;$port;gpucheck-term" --backend deepstream --log-format json)
# Once messages flow (the first one in the topic), stop it. (A first run builds the batch-3 engine: minutes.)
for _ in $(seq 900); do
  n=$(docker exec "$kafka_name" /opt/kafka/bin/kafka-get-offsets.sh --bootstrap-server "localhost:$port" --topic gpucheck-term 2>/dev/null | awk -F: '{s += $3} END {print s + 0}')
  [ "${n:-0}" -gt 0 ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || break
  sleep 0.5
done
running=$(docker inspect -f '{{.State.Running}}' "$cid")
docker kill --signal TERM "$cid" >/dev/null 2>&1
term_rc=$(docker wait "$cid")
docker logs "$cid" >"$work/term.out" 2>"$work/term.err"
docker rm "$cid" >/dev/null 2>&1
consume term
n_term=$(grep -c "$(printf '\t')" "$work/term.tsv")
built_term=$(built_of term)
stopped=$(js 'const s = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.startsWith("{")).map(JSON.parse).find((l) => l.event === "stream"); process.stdout.write(String(s && s.state));' <"$work/term.out")
if [ "$running" = true ] && [ "$stopped" = stopped ] && [ "$built_term" = "$n_term" ] && [ "$n_term" -gt 0 ]; then
  result PASS SIGTERM "stopped mid-run (exit $term_rc): $built_term produced, $n_term in the topic"
else
  result FAIL SIGTERM "running at SIGTERM: $running, state $stopped, exit $term_rc: $built_term produced, $n_term in the topic"
fi

# ---- the converter as a drop-in in deepstream-test5-app ----------------------------------------------------------
say "deepstream-test5-app with libnvds_dskafka_msgconv.so"
tmpc=$(docker create "$image")
docker cp "$tmpc:/opt/ds-kafka/build/Release/libnvds_dskafka_msgconv.so" "$work/" >/dev/null
docker rm "$tmpc" >/dev/null
cat >"$work/test5.txt" <<EOF
[application]
enable-perf-measurement=0

[tiled-display]
enable=0

[source0]
enable=1
type=3
uri=$sample_uri
num-sources=1
gpu-id=0

[streammux]
gpu-id=0
batch-size=1
batched-push-timeout=40000
width=1920
height=1080
live-source=0

[primary-gie]
enable=1
gpu-id=0
batch-size=1
config-file=/gpucheck/pgie_b1.txt

[tracker]
enable=1
tracker-width=640
tracker-height=480
ll-lib-file=$ds/lib/libnvds_nvmultiobjecttracker.so
ll-config-file=$tracker_cfg

[osd]
enable=0

[sink0]
enable=1
type=1
sync=0

[sink1]
enable=1
type=6
msg-conv-config=/gpucheck/msgconv_config.txt
msg-conv-payload-type=257
msg-conv-msg2p-lib=/gpucheck/libnvds_dskafka_msgconv.so
msg-broker-proto-lib=$ds/lib/libnvds_kafka_proto.so
msg-broker-conn-str=localhost;$port
topic=gpucheck-test5

[tests]
file-loop=0
EOF
gpu_run "$build_image" bash -c "
  app=\$(command -v deepstream-test5-app || echo $ds/bin/deepstream-test5-app)
  cd /gpucheck && \"\$app\" -c /gpucheck/test5.txt
" >"$work/test5.out" 2>"$work/test5.err"
t5_rc=$?
crit=$(grep -c 'CRITICAL' "$work/test5.out" "$work/test5.err" | awk -F: '{s += $2} END {print s + 0}')
consume test5
t5_valid=$?
n_t5=$(grep -c "$(printf '\t')" "$work/test5.tsv")
if [ "$t5_rc" = 0 ] && [ "$crit" = 0 ] && [ "$n_t5" -gt 0 ] && [ "$t5_valid" = 0 ]; then
  result PASS "test5 drop-in" "exit 0, no CRITICAL, $n_t5 valid messages"
else
  result FAIL "test5 drop-in" "exit $t5_rc, $crit CRITICAL line(s), $n_t5 messages (validate exit $t5_valid)"
fi

[ "$failures" = 0 ] && say "all checks passed (DeepStream $ds_version)" || say "$failures check(s) failed; outputs: rerun with --keep"
exit $((failures > 0 ? 1 : 0))
