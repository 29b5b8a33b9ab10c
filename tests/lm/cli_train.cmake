# ---- CLI: `tapegrad train` — resume, time limit, JSON, enum flags, stored settings (issue 14) ----
# Included from tests/lm/CMakeLists.txt (uses lm_cli, lm_cli_error, D, OUT, TINY, UTF8, CLI and the char_de fixture:
# an lstm 2×8 trained one epoch at the char level on utf8/de.txt, ${OUT}/char-de.last.safetensors).
set(NO_DATA ${D}/nothing)

# Enum values are checked while the flags are parsed, before any data is read (the --data here does not exist), in
# any case: before, `--model LSTM` was refused only after the corpus loaded.
lm_cli_error(cli_train_model_checked_before_data "--model: unknown model 'transformer' \\(expected window, rnn, lstm or gru\\)"
  train --data ${NO_DATA} --model transformer)
lm_cli_error(cli_train_optimizer_checked_before_data "--optimizer: unknown optimizer 'lbfgs'"
  train --data ${NO_DATA} --optimizer lbfgs)
lm_cli_error(cli_train_schedule_checked_before_data "--schedule: unknown schedule 'cosine'"
  train --data ${NO_DATA} --schedule cosine)
lm_cli_error(cli_train_level_checked_before_data "--level: unknown token level 'byte'" train --data ${NO_DATA} --level byte)
lm_cli_error(cli_train_form_checked_before_data "--form: " train --data ${NO_DATA} --form welded)
lm_cli(cli_train_enum_any_case "model: gru 1×4.*adam lr 0\\.01.*schedule none"
  train --model GRU --optimizer Adam --schedule NONE --level Word --data ${TINY} --emsize 4 --nhid 4 --nlayers 1
  --lr 0.01 --epochs 1 --batch-size 4 --bptt 8 --quiet --threads 1)

# --resume reads the data the way the checkpoint's run did: a char checkpoint resumes without --level char (before:
# read at the word level, "trained with another vocabulary (24 tokens)"), and continues at epoch 2.
lm_cli(cli_train_resume_reads_the_checkpoint_level "char level\\).*resumed from .*char-de\\.last\\.safetensors after epoch 1.*\\| epoch 2 \\|"
  train --data ${UTF8}/de.txt --resume ${OUT}/char-de.last.safetensors --epochs 2 --quiet --threads 1
  --save ${OUT}/resume-level/m.safetensors)
# Flags that would change the run are refused, each named with the checkpoint's value (before: silently ignored).
lm_cli_error(cli_train_resume_refuses_changed_settings
  "--resume .*char-de\\.last\\.safetensors .*--nhid 64 \\(the checkpoint's: 8\\) and --lr 0\\.1 \\(the checkpoint's: 20\\)"
  train --data ${UTF8}/de.txt --resume ${OUT}/char-de.last.safetensors --epochs 2 --nhid 64 --lr 0.1 --quiet)
lm_cli_error(cli_train_resume_refuses_another_split "--split 50/25/25 \\(the checkpoint's: 90/5/5\\)"
  train --data ${UTF8}/de.txt --resume ${OUT}/char-de.last.safetensors --epochs 2 --split 50/25/25 --quiet)
# Flags equal to the stored values, and the ones that may change (epochs, time, threads, save, output), are fine.
lm_cli(cli_train_resume_accepts_equal_settings "resumed from .*\\| epoch 2 \\|"
  train --data ${UTF8}/de.txt --resume ${OUT}/char-de.last.safetensors --level char --model LSTM --nhid 8 --emsize 8
  --batch-size 2 --bptt 8 --lr 20 --dropout 0.2 --epochs 2 --max-time 600 --threads 1 --quiet
  --save ${OUT}/resume-equal/m.safetensors)
set_tests_properties(cli_train_resume_reads_the_checkpoint_level cli_train_resume_refuses_changed_settings
  cli_train_resume_refuses_another_split cli_train_resume_accepts_equal_settings PROPERTIES FIXTURES_REQUIRED char_de)

# Settings are stored as the decimal typed: "lr":0.002 and "dropout":0.3 in the checkpoint's metadata, not
# 0.0020000000949949026 and 0.30000001192092896 (the float widened to a double). Read with grep from the file.
add_test(NAME cli_train_stores_typed_decimals COMMAND sh -c
  "\"$0\" train --data \"$1\" --emsize 4 --nhid 4 --nlayers 1 --lr 0.002 --dropout 0.3 --optimizer adam --epochs 1 --batch-size 4 --bptt 8 --quiet --threads 1 --save \"$2\" >/dev/null && grep -ac '.\"lr.\":0.002,' \"$2\" && grep -ac '.\"dropout.\":0.3,' \"$2\" && grep -ac 'data_options' \"$2\""
  ${CLI} ${TINY} ${OUT}/decimals/m.safetensors)
set_tests_properties(cli_train_stores_typed_decimals PROPERTIES PASS_REGULAR_EXPRESSION "1\n1\n1")

# --max-time bounds the whole command (the final evaluation included) within 10%, on a corpus whose one epoch takes
# far longer (tiny Shakespeare, 1M characters); the data: line comes at once although stdout is a pipe.
add_test(NAME cli_train_max_time_bounds_the_command COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/max_time.sh 2 ${CLI}
  --data ${PROJECT_SOURCE_DIR}/data/tinyshakespeare.txt --level char --emsize 16 --nhid 16 --threads 1 --quiet)
set_tests_properties(cli_train_max_time_bounds_the_command PROPERTIES PASS_REGULAR_EXPRESSION "max_time: within"
  RUN_SERIAL TRUE)
# When validation during training was cut by --max-valid-tokens, the final line says so.
lm_cli(cli_train_final_line_names_max_valid_tokens
  "=> best model: .* validation during training used the first 100 of 195 tokens \\(--max-valid-tokens\\)"
  train --data ${TINY} --emsize 4 --nhid 4 --nlayers 1 --epochs 1 --batch-size 4 --bptt 8 --max-valid-tokens 100
  --quiet --threads 1)

# --json: stdout is JSON lines only — data, model, one object per epoch (and per validation), a summary.
add_test(NAME cli_train_json_lines COMMAND ${CMAKE_COMMAND}
  "-DCOMMAND=${CLI}|train|--data|${TINY}|--emsize|4|--nhid|4|--nlayers|1|--epochs|2|--batch-size|4|--bptt|8|--eval-interval|20|--threads|1|--json"
  -DREQUIRE=data|model|validation|epoch|summary -DCOUNT_epoch=2 -DCOUNT_summary=1
  -P ${CMAKE_CURRENT_SOURCE_DIR}/json_lines.cmake)
add_test(NAME cli_gradflow_json_lines COMMAND ${CMAKE_COMMAND}
  "-DCOMMAND=${CLI}|gradflow|--data|${TINY}|--level|word|--steps|12|--batch|2|--emsize|4|--nhid|4|--threads|1|--json|-o|${OUT}/gradflow-json"
  -DREQUIRE=model|files -DCOUNT_model=3 -P ${CMAKE_CURRENT_SOURCE_DIR}/json_lines.cmake)
# A checkpoint written before the data options were stored records the level only: the other data flags are the
# command line's (a vocabulary mismatch is still caught), so --min-count is not refused against a guessed default.
lm_cli(cli_train_resume_older_checkpoint_takes_data_flags "resumed from .*after epoch 1 .*\\| epoch 2 \\|"
  train --data ${TINY} --resume ${D}/tiny-lstm-before-forget-bias.last.safetensors --min-count 3 --epochs 2 --quiet
  --threads 1)
