#!/usr/bin/env bash
# Bakes the VGG16 ImageNet model into the image (Dockerfile build arg WEIGHTS=imagenet):
# downloads Keras' weights, verifies their md5 and converts them with `featurejob models pull
# vgg16 [ARGS...]` into MODEL_DIR, then links the model to a name that does not change:
# MODEL_DIR/vgg16-imagenet.onnx, for FeatureJobs to use as `spec.model.weights`.
#
# Usage: .ci/image/pull-models.sh MODEL_DIR [models pull options, e.g. --from weights.h5]
set -euo pipefail
dir="${1:?MODEL_DIR}"
shift
mkdir -p "$dir"
FEATUREJOB_CACHE="$dir" featurejob models pull vgg16 --progress log "$@"

# models pull caches `models/vgg16-<sha256>.onnx` plus its JSON sidecar; exactly one is expected.
shopt -s nullglob
models=("$dir"/models/vgg16-*.onnx)
if [ "${#models[@]}" -ne 1 ]; then
  echo "pull-models: expected one model in $dir/models, found ${#models[@]}" >&2
  exit 1
fi
ln -sfn "models/$(basename "${models[0]}")" "$dir/vgg16-imagenet.onnx"
rm -rf "$dir/downloads"
FEATUREJOB_CACHE="$dir" featurejob models list
