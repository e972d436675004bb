# xcert_embed(TARGET FILE...): compiles each file into the library TARGET as a
# std::string_view, found with xcert::embedded::Find("schemas/manifest.schema.json").
function(xcert_embed target)
  set(gen ${CMAKE_BINARY_DIR}/embedded/embedded_data.cc)
  set(inputs)
  foreach(f ${ARGN})
    list(APPEND inputs ${CMAKE_SOURCE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "|" files_arg "${ARGN}")
  add_custom_command(OUTPUT ${gen}
    COMMAND ${CMAKE_COMMAND} -DOUT=${gen} -DROOT=${CMAKE_SOURCE_DIR} "-DFILES=${files_arg}"
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedGen.cmake
    DEPENDS ${inputs} ${CMAKE_SOURCE_DIR}/cmake/EmbedGen.cmake
    COMMENT "Embedding schemas and scripts"
    VERBATIM)
  add_library(${target} STATIC ${gen} ${CMAKE_SOURCE_DIR}/engine/util/embedded.h)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC xcert_settings)
endfunction()
