# xcert_module(NAME DIR DEPS ...): a static library from every .cc in DIR.
# Globbing (with CONFIGURE_DEPENDS) means a new source file cannot be forgotten.
function(xcert_module name dir)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*.cc)
  if(NOT srcs)  # a module still being written: headers only
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE xcert_settings ${M_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC xcert_settings ${M_DEPS})
endfunction()

# xcert_tests(NAME DIR DEPS ...): one gtest binary from every *_test.cc in DIR;
# every test is registered with CTest, so none can exist without running.
function(xcert_tests name dir)
  cmake_parse_arguments(T "" "" "DEPS;LABELS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  target_link_libraries(${name} PRIVATE xcert_test_support ${T_DEPS}
    GTest::gtest GTest::gtest_main GTest::gmock rapidcheck rapidcheck_gtest)
  gtest_discover_tests(${name}
    # One variable per property: gtest_discover_tests splits lists on ';'.
    PROPERTIES ENVIRONMENT "XCERT_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
               ENVIRONMENT_MODIFICATION "XCERT_BINARY=set:${CMAKE_BINARY_DIR}/xcert"
    LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
