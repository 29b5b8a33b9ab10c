# README.md's library example is the consumer program that tests/package builds and runs, character for character:
# the first ```cpp block after the "## Using the library" heading must equal tests/package/consumer/main.cpp.
#   cmake -DREADME=README.md -DEXAMPLE=tests/package/consumer/main.cpp -P check_readme.cmake
# To update the README after changing the program, paste the file into that block.
cmake_minimum_required(VERSION 3.20)
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
set(heading "\n## Using the library\n")
string(FIND "${readme}" "${heading}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${README}: no '## Using the library' section")
endif()
string(SUBSTRING "${readme}" ${at} -1 section)
string(FIND "${section}" "\n```cpp\n" open)
if(open EQUAL -1)
  message(FATAL_ERROR "${README}: no ```cpp block after '## Using the library'")
endif()
math(EXPR open "${open} + 8")
string(SUBSTRING "${section}" ${open} -1 section)
string(FIND "${section}" "\n```\n" close)
if(close EQUAL -1)
  message(FATAL_ERROR "${README}: the ```cpp block after '## Using the library' is not closed")
endif()
math(EXPR close "${close} + 1")  # keep the block's last newline: the file ends with one too
string(SUBSTRING "${section}" 0 ${close} block)
if(NOT block STREQUAL example)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/readme_example.cpp "${block}")
  message(FATAL_ERROR "${README}'s library example differs from ${EXAMPLE} (the README's block is in "
                      "${CMAKE_CURRENT_BINARY_DIR}/readme_example.cpp; diff the two and copy the file into the README)")
endif()
message(STATUS "${README}'s library example is ${EXAMPLE}")
