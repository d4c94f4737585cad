#!/usr/bin/env bash
# The image's production stage (see /Dockerfile), also run by
# test/integration/image/production-install.test.ts: installs the production dependencies
# next to an already compiled dist/ and puts the `featurejob` command on BIN_DIR.
#
# Usage: .ci/image/install-production.sh APP_DIR BIN_DIR
#   APP_DIR holds package.json, package-lock.json and dist/{executor,operator,crds}
#   BIN_DIR gets the `featurejob` link (the image's ENTRYPOINT and the executors' command)
set -euo pipefail
app="$(cd "${1:?APP_DIR}" && pwd)"
bin="${2:?BIN_DIR}"
cli="$app/dist/operator/cli/featurejob.js"
test -f "$cli" || { echo "install-production: $cli is missing: build dist/ first (.ci/image/build-dist.sh)" >&2; exit 1; }
cd "$app"

export ONNXRUNTIME_NODE_INSTALL=skip
# --ignore-scripts: the root's `prepare` runs tsc, which is a dev dependency. No production
# dependency needs its script: sharp's libvips and onnxruntime's CPU library arrive as npm
# packages (@img/sharp-<platform>, onnxruntime-node/bin).
npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# @tensorflow/tfjs-node's native binding comes only from its install script (a download from
# outside the npm registry), so without it the package cannot load: remove it, and the
# TensorFlow.js engine uses its wasm backend (the default model runs on onnxruntime anyway).
rm -rf node_modules/@tensorflow/tfjs-node
# onnxruntime-node ships CPU libraries for every platform (~220 MB that this one never loads).
platform="$(node -p 'process.platform + "/" + process.arch')"
for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do
  case "$dir" in
    */"$platform") ;;
    *) rm -rf "$dir" ;;
  esac
done

chmod 0755 "$cli"
mkdir -p "$bin"
ln -sfn "$cli" "$bin/featurejob"

# Fail the build, not the first job, when a native module does not load here.
node --input-type=module -e "await import('sharp'); await import('onnxruntime-node');"
"$bin/featurejob" --help >/dev/null
