# Warnings are errors for our own targets, with both g++ and clang++.
function(lona_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 at -O3 (the release preset) reports -Wrestrict overlaps inside libstdc++'s own
    # std::string concatenation that cannot happen (GCC bug 105329): a false positive in the
    # standard library, not in our code.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
