# Warnings are errors for our own targets, with both g++ and clang++.
function(lona_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
