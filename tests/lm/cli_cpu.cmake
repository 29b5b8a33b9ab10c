# ---- CLI: `tapegrad cpu` (issue 15): the caches as detected or given by TAPEGRAD_CPU_CACHES, the blocking derived ----
# Included from tests/lm/CMakeLists.txt (uses lm_cli, lm_cli_error).

# cpu_cli(<name> <TAPEGRAD_CPU_CACHES> <regex the output must match> <args...>)
function(cpu_cli name caches regex)
  lm_cli(${name} "${regex}" cpu ${ARGN})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "TAPEGRAD_CPU_CACHES=${caches}")
endfunction()

# This machine's own caches: whatever they are, the model's constraints hold.
lm_cli(cli_cpu_this_machine "CPU: .*L1d [0-9]+ KiB.*GEMM blocking: micro-tile [0-9]+×[0-9]+.*constraints: all hold" cpu)
# Sapphire Rapids' caches through the variable, derived for a 16-float build: named back, and a blocking that holds.
cpu_cli(cli_cpu_override_names_the_caches "l1d=48K/12,l2=2M/16,l3=105M/15@112"
  "L1d 48 KiB 12-way, L2 2 MiB 16-way, L3 105 MiB 15-way shared by 112 \\(TAPEGRAD_CPU_CACHES\\).*16 floats per vector.*constraints: all hold"
  --vector-floats 16)
# Only L2 replaced: the rest is still detected, and the source says both.
cpu_cli(cli_cpu_override_one_level "l2=1M/8" "L2 1 MiB 8-way.*\\(TAPEGRAD_CPU_CACHES\\+(sysfs|cpuid|defaults)\\)")
# A 2-way L1 cannot meet the L1 constraint: reported, still exit 0.
cpu_cli(cli_cpu_tiny_cache_reports_the_violation "l1d=4K/2,l2=32K/4,l3=0"
  "L3 none.*constraints violated:.*L1: B micro-panel 1 way \\+ A micro-panel 1 way > 2 − 1 ways")
# --json: one object; the sizes given are in it.
cpu_cli(cli_cpu_json "l1d=48K/12,l2=2M/16,l3=105M/15@112"
  "^\\{.*\"l2\":\\{\"line_bytes\":64,\"shared_by\":1,\"size_bytes\":2097152,\"ways\":16\\}.*\"violations\":\\[\\]\\}"
  --json --vector-floats 16)
# A bad variable: exit 2, the message names the variable and the item.
lm_cli_error(cli_cpu_bad_variable "tapegrad: error: TAPEGRAD_CPU_CACHES: bad item 'l2=1X': unknown size suffix 'X'" cpu)
set_tests_properties(cli_cpu_bad_variable PROPERTIES ENVIRONMENT "TAPEGRAD_CPU_CACHES=l1d=32K/8,l2=1X")
lm_cli_error(cli_cpu_bad_tiles "--tiles: bad tile '6x' \\(expected ROWSxVECTORS" cpu --tiles 6x2,6x)
# The GEMM of the process derives its blocking from the same variable, and gets what the command shows.
cpu_cli(cli_cpu_gemm_uses_the_variable "l1d=4K/2,l2=32K/4,l3=0"
  "L1d 4 KiB 2-way.*GEMM blocking: .*\\(the blocking this build's GEMM uses\\)")
# Any command whose products derive the blocking refuses a bad variable the same way (exit 2, not an internal error).
lm_cli_error(cli_cpu_bad_variable_in_training "tapegrad: error: TAPEGRAD_CPU_CACHES: bad item 'l2=x'" demo)
set_tests_properties(cli_cpu_bad_variable_in_training PROPERTIES ENVIRONMENT "TAPEGRAD_CPU_CACHES=l2=x")
