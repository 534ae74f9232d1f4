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
  std::string out = str_cat("; ", code.nparams, code.variadic ? " parameters (variadic)" : " parameters",
                            ", frame of ", code.frame_size, "\n");
  for (size_t pc = 0; pc < code.instrs.size(); ++pc) {
    uint32_t i = code.instrs[pc];
    Op op = instr::op(i);
    std::string operands;
    switch (op) {
      case Op::kLoadK:
      case Op::kGetVar:
      case Op::kDefVar:
      case Op::kClosure:
        operands = str_cat(instr::a(i), " ", instr::bx(i));
        break;
      case Op::kLoadInt:
        operands = str_cat(instr::a(i), " ", instr::sbx(i));
        break;
      case Op::kJump:
        operands = str_cat("-> ", static_cast<int64_t>(pc) + 1 + instr::sbx(i));
        break;
      case Op::kJumpIfFalsy:
        operands = str_cat(instr::a(i), " -> ", static_cast<int64_t>(pc) + 1 + instr::sbx(i));
        break;
      default:
        operands = str_cat(instr::a(i), " ", instr::b(i), " ", instr::c(i));
    }
    out += str_cat(pc, "\t", op_name(op), "\t", operands, "\n");
  }
  return out;
}

}  // namespace lona
