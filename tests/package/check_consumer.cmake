# Builds the consumer project of tests/package/consumer against tapegrad one of two ways, runs its programs and checks
# what they print. Run by CTest (tests/package/CMakeLists.txt) as
#   cmake -DMODE=find_package|add_subdirectory -DSOURCE_DIR=… -DBUILD_DIR=… -DWORK_DIR=… -DGENERATOR=…
#         -DCXX_COMPILER=… -DBUILD_TYPE=… [-DLAUNCHER=ccache] [-DNATIVE=ON -DARCH=… -DDIAGRAMS=ON]
#         [-DVERSION=x.y.z] -P check_consumer.cmake
#   find_package       cmake --install BUILD_DIR into WORK_DIR/prefix, then the consumer with find_package(tapegrad)
#   add_subdirectory   the consumer with add_subdirectory(SOURCE_DIR): only the libraries it links are built
# The expected values are not the program's: XOR's truth table is computed here (a ^ b), the CRC-32 check value of
# "123456789" is the CRC catalogue's, the version is the project's.
cmake_minimum_required(VERSION 3.20)
foreach(var MODE SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER BUILD_TYPE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_consumer.cmake: -D${var}=… is required")
  endif()
endforeach()
set(consumer_source ${CMAKE_CURRENT_LIST_DIR}/consumer)
foreach(var NATIVE DIAGRAMS)  # tapegrad's defaults
  if(NOT DEFINED ${var})
    set(${var} ON)
  endif()
endforeach()

# run(<step> <command…>): runs the command, stops with its output when it fails; its stdout is left in step_output.
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${MODE}: ${step} failed (${status}):\n  ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# The README's program: loss falling below 0.05, and the right answer for each of the four inputs.
function(check_xor output)
  string(REGEX MATCHALL "step +[0-9]+  loss [0-9.]+" loss_lines "${output}")
  set(previous "")
  foreach(line IN LISTS loss_lines)
    string(REGEX REPLACE ".* loss " "" loss "${line}")
    if(NOT previous STREQUAL "" AND NOT loss LESS previous)
      message(FATAL_ERROR "${MODE}: the XOR loss did not fall (${previous} then ${loss}):\n${output}")
    endif()
    set(previous ${loss})
  endforeach()
  list(LENGTH loss_lines count)
  if(count LESS 2 OR NOT previous LESS 0.05)
    message(FATAL_ERROR "${MODE}: expected falling loss lines ending below 0.05:\n${output}")
  endif()
  string(REGEX MATCHALL "[01] xor [01] -> [01]  \\(p = [0-9.]+\\)" answers "${output}")
  set(seen "")
  foreach(answer IN LISTS answers)
    string(REGEX MATCH "^([01]) xor ([01]) -> ([01])  \\(p = ([0-9.]+)\\)" _ "${answer}")
    math(EXPR expected "${CMAKE_MATCH_1} ^ ${CMAKE_MATCH_2}")
    if(NOT CMAKE_MATCH_3 EQUAL expected OR NOT CMAKE_MATCH_4 GREATER 0.9)
      message(FATAL_ERROR "${MODE}: '${answer}': expected ${CMAKE_MATCH_1} xor ${CMAKE_MATCH_2} = ${expected} "
                          "with p > 0.9:\n${output}")
    endif()
    list(APPEND seen "${CMAKE_MATCH_1}${CMAKE_MATCH_2}")
  endforeach()
  list(SORT seen)
  if(NOT seen STREQUAL "00;01;10;11")
    message(FATAL_ERROR "${MODE}: expected one answer for each of the four inputs, got '${seen}':\n${output}")
  endif()
endfunction()

function(check_every_layer output diagrams)
  set(expected "crc32 cbf43926" "vocab dog 3")
  if(diagrams)
    list(APPEND expected "svg yes")
  endif()
  foreach(line IN LISTS expected)
    string(FIND "${output}" "${line}\n" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${MODE}: every_layer did not print '${line}':\n${output}")
    endif()
  endforeach()
endfunction()

set(configure_args -G ${GENERATOR} -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
if(LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()

if(MODE STREQUAL "find_package")
  set(prefix ${WORK_DIR}/prefix)
  set(build ${WORK_DIR}/build-find-package)
  file(REMOVE_RECURSE ${prefix} ${build})
  run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${BUILD_TYPE})
  # The layout docs/install.md describes, without the internal headers that need xsimd or nlohmann-json.
  foreach(file lib/cmake/tapegrad/tapegradConfig.cmake lib/cmake/tapegrad/tapegradConfigVersion.cmake
               lib/cmake/tapegrad/tapegradTargets.cmake lib/libtapegrad_ops.a lib/libtapegrad_lm.a
               include/tapegrad/ops/tensor.hpp include/tapegrad/autograd/autograd.hpp include/tapegrad/nn/nn.hpp
               include/tapegrad/lm/neural/model.hpp bin/tapegrad)
    if(NOT EXISTS ${prefix}/${file})
      message(FATAL_ERROR "${MODE}: cmake --install did not install ${file} into ${prefix}")
    endif()
  endforeach()
  foreach(file include/tapegrad/ops/simd.hpp include/tapegrad/lm/tagging/tagger_file.hpp)
    if(EXISTS ${prefix}/${file})
      message(FATAL_ERROR "${MODE}: ${file} is internal (it includes xsimd or nlohmann-json) but was installed")
    endif()
  endforeach()
  if(VERSION)
    run("the installed CLI" ${prefix}/bin/tapegrad --version)
    if(NOT step_output MATCHES "^tapegrad ${VERSION}\n")
      message(FATAL_ERROR "${MODE}: ${prefix}/bin/tapegrad --version printed '${step_output}', not tapegrad ${VERSION}")
    endif()
  endif()
  run("configuring the consumer" ${CMAKE_COMMAND} -S ${consumer_source} -B ${build} ${configure_args}
      -DCMAKE_PREFIX_PATH=${prefix})
  run("building the consumer" ${CMAKE_COMMAND} --build ${build} --config ${BUILD_TYPE})
elseif(MODE STREQUAL "add_subdirectory")
  set(build ${WORK_DIR}/build-add-subdirectory)
  file(REMOVE_RECURSE ${build})
  run("configuring the consumer" ${CMAKE_COMMAND} -S ${consumer_source} -B ${build} ${configure_args}
      -DTAPEGRAD_SOURCE_DIR=${SOURCE_DIR} -DTAPEGRAD_NATIVE=${NATIVE} -DTAPEGRAD_ARCH=${ARCH}
      -DTAPEGRAD_DIAGRAMS=${DIAGRAMS})
  # A subproject brings its libraries only: none of tapegrad's tests, benchmarks or CLI.
  run("listing the targets" ${CMAKE_COMMAND} --build ${build} --target help)
  foreach(target tapegrad_cli test_ops bench_kernels)
    if(step_output MATCHES "(^|[\n ])${target}[:\n ]")
      message(FATAL_ERROR "${MODE}: the subproject defines ${target}; it should build its libraries only")
    endif()
  endforeach()
  run("building the consumer" ${CMAKE_COMMAND} --build ${build} --config ${BUILD_TYPE} --target xor every_layer)
else()
  message(FATAL_ERROR "check_consumer.cmake: MODE is find_package or add_subdirectory, not '${MODE}'")
endif()

run("running xor" ${build}/xor)
message(STATUS "xor:\n${step_output}")
check_xor("${step_output}")
run("running every_layer" ${build}/every_layer)
message(STATUS "every_layer:\n${step_output}")
check_every_layer("${step_output}" "${DIAGRAMS}")
message(STATUS "${MODE}: the consumer built and printed the expected results")
