# Runs `LONA repl --batch` on INPUT and compares stdout with EXPECTED line by line.
execute_process(COMMAND ${LONA} repl --batch INPUT_FILE ${INPUT} OUTPUT_VARIABLE actual
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lona repl --batch exited with ${rc}")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/golden-actual.out "${actual}")
  execute_process(COMMAND diff ${EXPECTED} ${CMAKE_CURRENT_BINARY_DIR}/golden-actual.out)
  message(FATAL_ERROR "output differs from ${EXPECTED}")
endif()
message(STATUS "golden output matches (${EXPECTED})")
