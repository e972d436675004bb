# Project-wide compile settings as an INTERFACE target every module links.
add_library(xcert_settings INTERFACE)
target_compile_options(xcert_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wno-missing-field-initializers)
if(XCERT_WERROR)
  target_compile_options(xcert_settings INTERFACE -Werror)
endif()
if(XCERT_SANITIZE)
  # GCC 12 reports false -Wmaybe-uninitialized positives inside libstdc++
  # (std::regex, std::function) when instrumented; the release build keeps it.
  target_compile_options(xcert_settings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
    -Wno-maybe-uninitialized)
  target_link_options(xcert_settings INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(xcert_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  XCERT_VERSION="${PROJECT_VERSION}")
