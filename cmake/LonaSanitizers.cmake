# Applies LONA_SANITIZE (e.g. "address,undefined" or "thread") to everything in the build.
if(LONA_SANITIZE)
  add_compile_options(-fsanitize=${LONA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${LONA_SANITIZE})
endif()
if(LONA_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LONA_FUZZ needs clang++ (libFuzzer)")
endif()
if(LONA_FUZZ)
  # Coverage instrumentation everywhere, so the fuzzer is guided by the code it tests.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
