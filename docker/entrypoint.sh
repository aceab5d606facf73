#!/bin/sh
# ds-kafka's DeepStream image entrypoint: NVIDIA's container entrypoint first when the base image has one (it
# prepares the environment and prints NVIDIA's notices, as `docker run` of NVIDIA's images does), then the
# command ("node /opt/ds-kafka/dist/cli/main.js ..."). NVIDIA's script ends with exec "$@".
set -e
if [ -x /opt/nvidia/nvidia_entrypoint.sh ]; then
  exec /opt/nvidia/nvidia_entrypoint.sh "$@"
fi
exec "$@"
