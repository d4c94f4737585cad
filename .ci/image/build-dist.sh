#!/usr/bin/env bash
# The image's build stage (see /Dockerfile), also run by
# test/integration/image/production-install.test.ts: installs every dependency (TypeScript
# included) and compiles executor/, operator/ and crds/ into dist/.
#
# Usage: .ci/image/build-dist.sh [SOURCE_DIR]   (default: the current directory)
set -euo pipefail
cd "${1:-.}"

# onnxruntime-node's install script only downloads the CUDA add-on, from outside the npm
# registry; its CPU binaries are in the package.
export ONNXRUNTIME_NODE_INSTALL=skip

# --ignore-scripts: `prepare` would run tsc over test/ too, and @tensorflow/tfjs-node's
# install script downloads libtensorflow; compiling needs neither.
npm ci --ignore-scripts --no-audit --no-fund
npx --no-install tsc -p .ci/image/tsconfig.image.json
test -f dist/operator/cli/featurejob.js
