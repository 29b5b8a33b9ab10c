#!/usr/bin/env bash
# The neural language models on the Brown protocol (docs/data.md), the runs behind docs/results.md:
# the fixed-window MLP, and LSTM, GRU and tanh-RNN language models, each evaluated on the test split with every
# token counted (--batch-size 1), beside the Kneser-Ney 5-gram of docs/ngram.md.
#   scripts/brown-experiments.sh [OUT_DIR]          (default out/brown-runs; takes a few hours on 2 cores)
# Needs out/brown from scripts/get-brown.sh. THREADS (default 2) sets the kernel threads; MODELS (default
# "kn5 window lstm gru rnn") selects runs; TAPEGRAD (default build/apps/tapegrad) the binary — point it at a copy
# to keep rebuilding while the runs go on.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/brown-runs}
threads=${THREADS:-2}
models=${MODELS:-kn5 window lstm gru rnn}
data=out/brown
[ -f $data/train.txt ] || { echo "brown-experiments: $data is missing: run scripts/get-brown.sh first" >&2; exit 1; }
tg=${TAPEGRAD:-build/apps/tapegrad}
[ -x "$tg" ] || ./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >&2
mkdir -p "$out"

# Recurrent models: 2 layers of 400 units, tied embeddings, dropout 0.5 (Zaremba et al.'s regularisation, the size
# between their small and medium models), SGD lr 20 divided by 4 whenever validation stops improving, gradient norm
# clipped at 0.25 (PyTorch's word-language-model recipe): 16 epochs for the LSTM, 10 for GRU and RNN (the RNN with
# Adam: see below).
# Each training run is also capped in wall time (--max-time, seconds; training then stops and the best checkpoint so
# far is kept), so the whole set fits in about two hours on this 2-core machine with one thread per run and two runs
# side by side (MODELS="window gru rnn" and MODELS="lstm"). The logs say at which epoch a cap bound.
recurrent="--emsize 400 --nhid 400 --nlayers 2 --dropout 0.5 --tied --clip 0.25 --batch-size 20 --bptt 35"
for m in $models; do
  case $m in
    kn5)
      $tg ngram eval --train $data/train.txt --vocab $data/vocab.txt --order 5 --data $data/test.txt \
        >"$out/kn5.log" 2>&1 ;;
    window)  # Bengio et al. 2003: 5 words of context, tanh hidden layer; Adam, dropout on the hidden layer
      $tg train --model window --data $data --context 5 --emsize 64 --nhid 256 --dropout 0.3 --optimizer adam \
        --lr 0.001 --clip 0 --batch-size 256 --epochs 12 --patience 2 --schedule plateau --decay 0.5 --max-time 1800 \
        --threads "$threads" \
        --save "$out/window.safetensors" --quiet >"$out/window.log" 2>&1 ;;
    lstm)
      # shellcheck disable=SC2086
      $tg train --model lstm --data $data $recurrent --lr 20 --epochs 16 --max-time 4800 --threads "$threads" \
        --save "$out/lstm.safetensors" --quiet >"$out/lstm.log" 2>&1 ;;
    gru)  # reported beside the LSTM: the same recipe, fewer epochs
      # shellcheck disable=SC2086
      $tg train --model gru --data $data $recurrent --lr 20 --epochs 10 --max-time 2700 \
        --threads "$threads" --save "$out/gru.safetensors" --quiet >"$out/gru.log" 2>&1 ;;
    rnn)  # with SGD at lr 20 the tanh RNN diverges in its first epoch (loss 26, see docs/results.md): Adam instead
      # shellcheck disable=SC2086
      $tg train --model rnn --data $data $recurrent --optimizer adam --lr 0.001 --epochs 10 --max-time 1080 \
        --threads "$threads" --save "$out/rnn.safetensors" --quiet >"$out/rnn.log" 2>&1 ;;
    *) echo "brown-experiments: unknown model $m" >&2; exit 2 ;;
  esac
  if [ "$m" != kn5 ]; then
    $tg eval --checkpoint "$out/$m.safetensors" --data $data/test.txt --batch-size 1 --threads "$threads" \
      >>"$out/$m.log" 2>&1
  fi
  echo "brown-experiments: $m done: $(tail -n 1 "$out/$m.log")"
done
