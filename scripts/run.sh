#!/usr/bin/env bash
# The main job: installs what is missing, builds (Release), then trains a character-level LSTM language model on
# Tiny Shakespeare (data/tinyshakespeare.txt, bundled) in at most 150 seconds in all (--max-time bounds the whole
# command, the final evaluation included), prints the validation and test perplexity of the best model and a
# generated sample, and writes into out/shakespeare/ (or $OUT):
#   char-lstm.safetensors (the best model), char-lstm.last.safetensors (to --resume), char-lstm.curve.csv and
#   char-lstm.curve.svg (the learning curve: train and validation perplexity).
# Extra arguments go to `tapegrad train` and override the ones below (see `build/apps/tapegrad train --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >&2
out=${OUT:-out/shakespeare}
exec ./build/apps/tapegrad train --model lstm --data data/tinyshakespeare.txt --level char \
  --emsize 64 --nhid 256 --nlayers 2 --dropout 0 --optimizer adam --lr 0.002 --clip 5 --schedule none \
  --batch-size 32 --bptt 100 --epochs 20 --max-time 150 --eval-interval 50 --max-valid-tokens 20000 \
  --save "$out/char-lstm.safetensors" --sample 600 --temperature 0.8 "$@"
