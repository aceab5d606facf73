#!/usr/bin/env bash
# Installs the Debian packages ds-kafka needs to build and run its CPU backend, tests and local broker.
# Idempotent: installs only what is missing. As root it installs; otherwise it prints the command.
#   GStreamer 1.x (+ plugins base/good/bad/ugly, libav), OpenCV core/imgproc/video/dnn/imgcodecs, librdkafka, kcat,
#   nlohmann-json, a C++ toolchain with cmake, and Java 17 + Maven for the local Kafka broker.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav
  libopencv-core-dev libopencv-imgproc-dev libopencv-video-dev libopencv-dnn-dev libopencv-imgcodecs-dev
  librdkafka-dev kcat nlohmann-json3-dev
  python3-pip  # scripts/setup-models.sh downloads the pinned model packages with pip
  # The RTSP camera of test/e2e/rtsp-reconnect.test.ts: gst-rtsp-server through Debian's python3 (PyGObject).
  python3-gi gir1.2-gst-rtsp-server-1.0
)
# The live page's test runs in a real headless browser (test/integration/http-page.test.ts); image builds
# that run no tests skip it with DS_KAFKA_SETUP_NO_BROWSER=1.
[ -n "${DS_KAFKA_SETUP_NO_BROWSER:-}" ] || packages+=(chromium)
command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing Debian packages. Run as root:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd -qq
