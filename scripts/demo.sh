#!/usr/bin/env bash
# The main job: installs what is missing, builds (Release) and runs `tapegrad demo`.
# Extra arguments go to the demo (see `build/apps/tapegrad demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >&2
exec ./build/apps/tapegrad demo "$@"
