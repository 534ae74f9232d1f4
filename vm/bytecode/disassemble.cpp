#include "runtime/support/str_cat.hpp"
#include "vm/bytecode/code.hpp"

namespace lona {

const char* op_name(Op op) {
  static const char* const kNames[] = {
#define LONA_OP_NAME(name) #name,
      LONA_OPCODES(LONA_OP_NAME)
#undef LONA_OP_NAME
  };
  return static_cast<size_t>(op) < sizeof kNames / sizeof kNames[0]
             ? kNames[static_cast<size_t>(op)]
             : "?";
}

std::string disassemble(const Code& code) {
  std::string out;
  for (size_t pc = 0; pc < code.instrs.size(); ++pc) {
    uint32_t i = code.instrs[pc];
    out += str_cat(pc, "\t", op_name(instr::op(i)), "\t", instr::a(i), " ", instr::b(i), " ",
                   instr::c(i), "\n");
  }
  return out;
}

}  // namespace lona
