#!/usr/bin/env bash
# The Tiny Shakespeare quality run of docs/results.md: a 2-layer character-level LSTM, the last 10% of the file as
# validation (no test split), trained for at most 30 minutes; the target is a validation loss of at most 1.50
# nats/char. Prints the learning curve as it goes; writes the model and curve to OUT_DIR (default
# out/shakespeare-quality). THREADS (default 2) sets the kernel threads; TAPEGRAD (default build/apps/tapegrad) the
# binary.
#   scripts/shakespeare-quality.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/shakespeare-quality}
tg=${TAPEGRAD:-build/apps/tapegrad}
[ -x "$tg" ] || ./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >&2
mkdir -p "$out"
# 2×512 LSTM on 64-dimensional character embeddings, dropout 0.2, Adam 2e-3 halved whenever validation stops
# improving, gradient norm clipped at 5; batches of 32 streams × 100 characters.
"$tg" train --model lstm --data data/tinyshakespeare.txt --level char --split 90/10/0 \
  --emsize 64 --nhid 512 --nlayers 2 --dropout 0.2 --optimizer adam --lr 0.002 --clip 5 \
  --schedule plateau --decay 0.5 --batch-size 32 --bptt 100 --epochs 50 --max-time 1800 \
  --threads "${THREADS:-2}" --save "$out/char-lstm.safetensors" --sample 400 --quiet | tee "$out/train.log"
