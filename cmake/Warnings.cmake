# Project-wide compile settings as an INTERFACE target every module links.
add_library(xcert_settings INTERFACE)
target_compile_options(xcert_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wno-missing-field-initializers)
# GCC 12 reports false positives deep inside inlined library code:
# -Wrestrict on std::string concatenation (GCC bugs 105329, 105651) and
# -Wmaybe-uninitialized in std::regex, std::function and Boost.Graph iterators
# (bug 105562 and relatives), at -O2/-O3 and under sanitizers. Clang and GCC 13+
# keep both warnings on.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(xcert_settings INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
if(XCERT_WERROR)
  target_compile_options(xcert_settings INTERFACE -Werror)
endif()
if(XCERT_SANITIZE)
  target_compile_options(xcert_settings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(xcert_settings INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(xcert_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  XCERT_VERSION="${PROJECT_VERSION}")
