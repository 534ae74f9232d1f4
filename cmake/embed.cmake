# Turns the file IN into a C++ source OUT defining lona::kStdlibArchive and its size.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "// Generated from ${IN} by cmake/embed.cmake; do not edit.\n#include <cstddef>\nnamespace lona {\nextern const unsigned char kStdlibArchive[] = {${bytes}};\nextern const size_t kStdlibArchiveSize = ${size};\n}  // namespace lona\n")
