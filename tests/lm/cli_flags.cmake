# ---- CLI: every flag checked while parsing, before any work (issue 13: D3, D4, D7 and the flag "minors") ----
# Included from tests/lm/CMakeLists.txt (uses lm_cli, lm_cli_error, D, OUT, TINY, CLI). Each bad flag comes with a
# --data or --checkpoint that does not exist: the message must be about the flag, so nothing was read before it.
set(NO_DATA ${D}/nothing)
set(NO_MODEL ${D}/nothing.safetensors)

# D3: `predict -k -1` overflowed a heap buffer; D4: `--threads 100000` crashed libgomp.
lm_cli_error(cli_flags_predict_negative_k "--top: must be in \\[1, [0-9]+\\], got -1"
  predict --checkpoint ${NO_MODEL} --context "the cat" -k -1)
lm_cli_error(cli_flags_threads_too_many "--threads: must be 0 \\(automatic\\) or 1 … [0-9]+ .*got 100000"
  train --data ${NO_DATA} --threads 100000)
lm_cli_error(cli_flags_threads_negative "--threads: must be 0 \\(automatic\\) or 1 … [0-9]+ .*got -1"
  eval --checkpoint ${NO_MODEL} --data ${NO_DATA} --threads -1)

# D7: an unwritable --save was found only after a full epoch ("unexpected error: filesystem error", exit 3).
lm_cli_error(cli_flags_save_unwritable "--save: '/proc/tapegrad-test/m\\.safetensors': cannot create a file in the folder '/proc'"
  train --data ${NO_DATA} --save /proc/tapegrad-test/m.safetensors)
lm_cli_error(cli_flags_save_is_a_folder "--save: '.*tests/lm/data' is a folder, not a file"
  train --data ${NO_DATA} --save ${D})
lm_cli_error(cli_flags_save_under_a_file "--save: .*hand\\.arpa' is not a folder"
  train --data ${NO_DATA} --save ${D}/hand.arpa/m.safetensors)
lm_cli_error(cli_flags_output_folder_missing "--save: .*the folder '.*no-such-folder' does not exist"
  tag train --data ${NO_DATA} --save ${OUT}/no-such-folder/t.json)
lm_cli_error(cli_flags_output_folder_unwritable "--out: cannot create a file in the folder '/proc'"
  data brown --from ${NO_DATA} --out /proc/tapegrad-test)
lm_cli_error(cli_flags_arpa_output_unwritable "--arpa: '/proc/m\\.arpa': cannot create a file in the folder '/proc'"
  ngram train --data ${NO_DATA} --arpa /proc/m.arpa)

# Temperatures: `train --sample --temperature 0` was refused only after training; nan and inf never are numbers.
lm_cli_error(cli_flags_train_sample_temperature_zero "--temperature: must be in \\(0, 1000\\], got 0"
  train --data ${NO_DATA} --sample 5 --temperature 0)
lm_cli_error(cli_flags_generate_temperature_nan "--temperature: must be a finite number .*got nan"
  generate --checkpoint ${NO_MODEL} --temperature nan)

# Counts and lengths that were accepted with no effect.
lm_cli_error(cli_flags_generate_negative_length "--length: must be in \\[1, [0-9]+\\], got -5"
  generate --checkpoint ${NO_MODEL} --length -5)
lm_cli_error(cli_flags_generate_negative_count "--count: must be in \\[1, [0-9]+\\], got -1"
  generate --checkpoint ${NO_MODEL} --count -1)
lm_cli_error(cli_flags_eval_batch_size_zero "--batch-size: must be in \\[1, [0-9]+\\], got 0"
  eval --checkpoint ${NO_MODEL} --data ${NO_DATA} --batch-size 0)
lm_cli_error(cli_flags_max_time_negative "--max-time: must be in \\[0, 100000000\\], got -1"
  train --data ${NO_DATA} --max-time -1)
lm_cli_error(cli_flags_max_time_nan "--max-time: must be a finite number .*got nan" train --data ${NO_DATA} --max-time nan)

# One of each class elsewhere: sizes (D1's flag side), real numbers, n-gram order, per-command counts.
lm_cli_error(cli_flags_emsize_huge "--emsize: must be in \\[1, 65536\\], got 4611686018427387904"
  train --data ${NO_DATA} --emsize 4611686018427387904)
lm_cli_error(cli_flags_lr_infinite "--lr: must be a finite number > 0, got inf" train --data ${NO_DATA} --lr inf)
lm_cli_error(cli_flags_init_range_nan "--init-range: must be a finite number ≥ 0, got nan"
  train --data ${NO_DATA} --init-range nan)
lm_cli_error(cli_flags_dropout_above_one "--dropout: must be in \\[0, 0\\.99\\], got 1\\.5" train --data ${NO_DATA} --dropout 1.5)
lm_cli_error(cli_flags_not_a_number "--nhid: expected a whole number in \\[1, 65536\\], got 'many'"
  train --data ${NO_DATA} --nhid many)
lm_cli_error(cli_flags_ngram_order_huge "--order: must be in \\[1, 16\\], got 100000000"
  ngram train --data ${NO_DATA} --order 100000000)
lm_cli_error(cli_flags_ngram_topk_zero "--top: must be in \\[1, [0-9]+\\], got 0"
  ngram topk --arpa ${NO_DATA} --context a -k 0)
lm_cli_error(cli_flags_tag_epochs_zero "--epochs: must be in \\[1, [0-9]+\\], got 0"
  tag train --model bilstm --data ${NO_DATA} --epochs 0)
lm_cli_error(cli_flags_classify_one_fold "--folds: must be 0 or \\[2, 1000\\], got 1" classify train --data ${NO_DATA} --folds 1)
lm_cli_error(cli_flags_conditioned_lr_decay "--lr-decay: must be in \\(0, 1\\], got 2"
  train-conditioned --data ${NO_DATA} --lr-decay 2)
lm_cli_error(cli_flags_gradflow_steps_zero "--steps: must be in \\[1, [0-9]+\\], got 0" gradflow --data ${NO_DATA} --steps 0)
lm_cli_error(cli_flags_inspect_negative_examples "--examples: must be in \\[0, [0-9]+\\], got -1"
  inspect negation --checkpoint ${NO_MODEL} --examples -1)

# The files a run names are the files it wrote: none when no epoch is trained (here: resumed after epoch 2 with
# --epochs 2), where the old message listed all four.
lm_cli(cli_flags_no_epoch_writes_nothing "wrote nothing: no epoch ended in this run"
  train --data ${TINY} --resume ${OUT}/tiny.last.safetensors --epochs 2 --quiet --save ${OUT}/no-epoch/m.safetensors)
set_tests_properties(cli_flags_no_epoch_writes_nothing PROPERTIES FIXTURES_REQUIRED tiny_lm
  FAIL_REGULAR_EXPRESSION "wrote [^n]")

# A temporary file left by a killed run (its pid is above any pid the kernel hands out) is removed when training
# starts; the model is still written.
set(STALE ${OUT}/stale-temp)
add_test(NAME cli_flags_stale_temporary_removed COMMAND sh -c
  "rm -rf \"$1\" && mkdir -p \"$1\" && : > \"$1/m.safetensors.tmp.999999999.0\" && \"$0\" train --model rnn --data \"$2\" --emsize 4 --nhid 4 --epochs 1 --batch-size 4 --bptt 8 --quiet --save \"$1/m.safetensors\" >/dev/null && [ -f \"$1/m.safetensors\" ] && ! [ -e \"$1/m.safetensors.tmp.999999999.0\" ] && echo removed"
  ${CLI} ${STALE} ${TINY})
set_tests_properties(cli_flags_stale_temporary_removed PROPERTIES PASS_REGULAR_EXPRESSION "removed")
