# Install rules: `cmake --install build --prefix P` lays tapegrad out as a CMake package (docs/install.md):
#
#   P/include/tapegrad/{ops,autograd,autograd/viz,nn,lm/…}/*.hpp   headers, included as "ops/tensor.hpp" …
#   P/lib/libtapegrad_{ops,autograd,viz,nn,lm}.a                    one static library per layer
#   P/bin/tapegrad                                                  the command-line tool (when built)
#   P/lib/cmake/tapegrad/tapegradConfig.cmake                       find_package(tapegrad): finds the dependencies,
#                        tapegradConfigVersion.cmake                then loads the targets tapegrad::tapegrad,
#                        tapegradTargets[-release].cmake            tapegrad::ops … tapegrad::lm, tapegrad::viz
#
# Included by the top-level CMakeLists.txt after the libraries are defined, when TAPEGRAD_INSTALL is on.
include(CMakePackageConfigHelpers)

set(TAPEGRAD_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tapegrad)
set(TAPEGRAD_INSTALL_HEADERDIR ${CMAKE_INSTALL_INCLUDEDIR}/tapegrad)

set(tapegrad_libraries tapegrad tapegrad_ops tapegrad_autograd tapegrad_nn tapegrad_lm)
if(TAPEGRAD_DIAGRAMS)
  list(APPEND tapegrad_libraries tapegrad_viz)
endif()
install(TARGETS ${tapegrad_libraries} EXPORT tapegradTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})  # the include directory is tapegrad_ops' INSTALL_INTERFACE
if(TARGET tapegrad_cli)
  install(TARGETS tapegrad_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Every header of the layers except the few internal ones that include what the package does not provide: xsimd
# (ops/simd.hpp and the kernels' shared loops) and nlohmann-json (lm/tagging/tagger_file.hpp). No installed header
# includes them; tests/package compiles every installed header on its own to keep it so.
set(tapegrad_internal_headers
  PATTERN "simd.hpp" EXCLUDE
  PATTERN "gemm_internal.hpp" EXCLUDE
  PATTERN "pointwise.hpp" EXCLUDE
  PATTERN "tagger_file.hpp" EXCLUDE
  PATTERN "mpi_communicator.hpp" EXCLUDE  # mpi.h, and tapegrad_world (the CLI's, not installed)
  PATTERN "world.hpp" EXCLUDE)
if(NOT TAPEGRAD_DIAGRAMS)
  list(APPEND tapegrad_internal_headers PATTERN "viz" EXCLUDE)  # no tapegrad_viz to go with them
endif()
install(DIRECTORY ops autograd nn lm DESTINATION ${TAPEGRAD_INSTALL_HEADERDIR}
  FILES_MATCHING PATTERN "*.hpp" ${tapegrad_internal_headers})

install(EXPORT tapegradTargets NAMESPACE tapegrad:: DESTINATION ${TAPEGRAD_INSTALL_CMAKEDIR}
  FILE tapegradTargets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tapegradConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tapegradConfig.cmake INSTALL_DESTINATION ${TAPEGRAD_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the interface, so a request for 0.1 accepts 0.1.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tapegradConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tapegradConfig.cmake ${PROJECT_BINARY_DIR}/tapegradConfigVersion.cmake
  DESTINATION ${TAPEGRAD_INSTALL_CMAKEDIR})
