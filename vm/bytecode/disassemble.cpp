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
  std::string out =
      str_cat("; ", code.nparams, code.variadic ? " parameters (variadic)" : " parameters",
              ", frame of ", code.frame_size, "\n");
  for (size_t pc = 0; pc < code.instrs.size(); ++pc) {
    uint32_t i = code.instrs[pc];
    Op op = instr::op(i);
    std::string operands;
    switch (op) {
      case Op::kGetBits: {
        uint32_t w = pc + 1 < code.instrs.size() ? code.instrs[pc + 1] : 0;
        operands = str_cat(instr::a(i), " ", instr::b(i), " [bits ",
                           w >> bit_field_word::kOffsetShift, "+", w & bit_field_word::kSizeMask,
                           (w & bit_field_word::kSigned) != 0 ? " signed" : "",
                           (w & bit_field_word::kLittle) != 0 ? " le" : "", "]");
        break;
      }
      case Op::kBinaryRest:
        operands = str_cat(instr::a(i), " ", instr::b(i), " [from byte ",
                           pc + 1 < code.instrs.size() ? code.instrs[pc + 1] : 0, "]");
        break;
      case Op::kLoadK:
      case Op::kTestBinary:
      case Op::kTestBinaryAtLeast:
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
    if (has_operand_word(op)) ++pc;
  }
  return out;
}

}  // namespace lona
