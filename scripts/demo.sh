#!/usr/bin/env bash
# The main job on a bundled real clip: a local Kafka broker, the pipeline (DNN detector when its model is
# installed) publishing the clip's line-crossing counts, the messages read back with kcat, and the final
# counts against the clip's frame-by-frame ground truth (samples/real/README.md).
# DS_KAFKA_DEMO_CLIP picks another clip of samples/real/ (default people-one-by-one-a).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${DS_KAFKA_DEMO_PORT:-9092}
TOPIC=${DS_KAFKA_DEMO_TOPIC:-ds-kafka}
CLIP=${DS_KAFKA_DEMO_CLIP:-people-one-by-one-a}
cli() { node dist/cli/main.js "$@"; }

started_here=0
if ! cli broker status --port "$PORT" >/dev/null 2>&1; then
  cli broker start --port "$PORT" --topic "$TOPIC"
  started_here=1
else
  cli broker start --port "$PORT" --topic "$TOPIC" >/dev/null   # creates the topic if needed
fi
if [ "$started_here" = 1 ] && [ -z "${DS_KAFKA_DEMO_KEEP_BROKER:-}" ]; then
  trap 'cli broker stop --port "$PORT"' EXIT
fi

echo
echo "\$ npx ds-kafka run -i samples/real/$CLIP.mp4 --analytics-config samples/real/$CLIP.analytics.txt \\"
echo "    --msgconv-config config/msgconv_config.txt -c config/cfg_kafka.txt --conn-str \"localhost;$PORT;$TOPIC\" --no-display"
cli run -i "samples/real/$CLIP.mp4" --analytics-config "samples/real/$CLIP.analytics.txt" \
  --msgconv-config config/msgconv_config.txt -c config/cfg_kafka.txt \
  --conn-str "localhost;$PORT;$TOPIC" --no-display

echo
echo "\$ kcat -C -b localhost:$PORT -t $TOPIC -o beginning -e   (last 3 messages, key then value)"
kcat -C -b "localhost:$PORT" -t "$TOPIC" -o beginning -e -q -f '%k %s\n' | tail -n 3

echo
node --input-type=module -e '
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
const [port, topic, clip] = process.argv.slice(1);
const truth = JSON.parse(readFileSync(`samples/real/${clip}.truth.json`, "utf8")).expected.lcCum;
const out = execFileSync("kcat", ["-C", "-b", `localhost:${port}`, "-t", topic, "-o", "beginning", "-e", "-q"], { encoding: "utf8" });
const last = out.trim().split("\n").map((l) => JSON.parse(l)).filter((m) => m.deviceId === "device_test").at(-1);
let ok = Boolean(last);
for (const [label, want] of Object.entries(truth)) {
  const got = last?.analyticsModule[`lc_cum_${label}`];
  ok &&= got === want;
  console.log(`lc_cum_${label}: ${got} on Kafka, ${want} in the ground truth ${got === want ? "✓" : "✗"}`);
}
process.exit(ok ? 0 : 1);
' "$PORT" "$TOPIC" "$CLIP"
