#!/usr/bin/env bash
# Builds ds-kafka's container images from the repository root.
#   docker/build.sh [cpu|deepstream|all] [--tag TAG] [--registry REGISTRY/] [--push] [--ds-version 7.1]
#                   [--ds-build-image IMAGE] [--ds-runtime-image IMAGE]
# --ds-version: the DeepStream release (6.1-6.3, 6.4, 7.0, 7.1, 8.0, 9.0, 9.1; default 7.1). Its images are
# nvcr.io/nvidia/deepstream:<version>-triton-multiarch (build) and -samples-multiarch (run); other tags
# (6.1/6.2: <version>-triton / <version>-samples) with --ds-build-image / --ds-runtime-image.
# Tags: <registry>ds-kafka:<tag>-cpu / -deepstream<ds-version>, plus :cpu / :deepstream (the names
# docker/compose.yaml and docker/k8s/statefulset.yaml use). TAG defaults to the package.json version.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
what=all tag="" registry="" push=0 ds_version=7.1 ds_build_image="" ds_runtime_image=""

while [ $# -gt 0 ]; do
  case "$1" in
    cpu|deepstream|all) what=$1 ;;
    --tag) tag=$2; shift ;;
    --registry) registry=$2; shift ;;
    --push) push=1 ;;
    --ds-version) ds_version=$2; shift ;;
    --ds-build-image) ds_build_image=$2; shift ;;
    --ds-runtime-image) ds_runtime_image=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v docker >/dev/null 2>&1 || { echo "build.sh: docker not found" >&2; exit 1; }
if [ -z "$tag" ]; then
  tag=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json" | head -1)
fi
[ -n "$tag" ] || { echo "build.sh: cannot read the version from package.json; pass --tag" >&2; exit 1; }
image="${registry}ds-kafka"

build() { # flavour dockerfile tag... -- build-args...
  local flavour=$1 dockerfile=$2; shift 2
  local tags=() args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do tags+=(-t "$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  args=("$@")
  echo "build.sh: building $flavour image (${tags[*]})"
  DOCKER_BUILDKIT=1 docker build -f "$dockerfile" "${tags[@]}" "${args[@]}" \
    --label "org.opencontainers.image.version=$tag" \
    --label "org.opencontainers.image.title=ds-kafka ($flavour backend)" "$root"
  if [ "$push" = 1 ]; then
    for ((i = 1; i < ${#tags[@]}; i += 2)); do docker push "${tags[$i]}"; done
  fi
}

if [ "$what" = cpu ] || [ "$what" = all ]; then
  build cpu "$here/Dockerfile.cpu" "$image:$tag-cpu" "$image:cpu"
fi
if [ "$what" = deepstream ] || [ "$what" = all ]; then
  case "$ds_version" in
    6.0|6.0.*|5.*) echo "build.sh: DeepStream $ds_version images are Ubuntu 18.04 (glibc 2.27): Node 20 cannot run there" >&2; exit 2 ;;
  esac
  ds_args=(--build-arg "DS_VERSION=$ds_version")
  [ -n "$ds_build_image" ] && ds_args+=(--build-arg "DS_BUILD_IMAGE=$ds_build_image")
  [ -n "$ds_runtime_image" ] && ds_args+=(--build-arg "DS_RUNTIME_IMAGE=$ds_runtime_image")
  build deepstream "$here/Dockerfile.deepstream" "$image:$tag-deepstream$ds_version" "$image:deepstream" -- "${ds_args[@]}"
fi
