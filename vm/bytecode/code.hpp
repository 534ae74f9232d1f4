// vm/bytecode: the register bytecode that the compiler emits and the interpreter runs.
//
// An instruction is 32 bits: opcode in the low byte, then three 8-bit operands A B C, or A and a
// 16-bit Bx (sBx when signed, biased by kSBxBias). R[n] is register n of the running frame (a
// frame slot on the VM stack, a GC root); R[0] always holds the running closure. X[n] is an
// argument register, through which intrinsics receive their arguments.
//
// A call needs no copying: the caller evaluates the function and its arguments into a block of
// its own registers, R[B+2] (the function) and R[B+3 ...] (the arguments), and the callee's frame
// starts there, so those become the callee's R[0] and R[1 ...]. R[B] and R[B+1] receive the
// return address and the caller's frame (see vm/interp). Pattern tests either fall through to
// the next instruction (a jump to the next clause) when the test fails, or skip it when it
// succeeds. A compare-and-jump instruction (LtJ ...) is always followed by a Jump whose offset it
// takes when the comparison is false.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/term/term.hpp"

namespace lona {

struct Var;

#define LONA_OPCODES(X)                                                                        \
  X(LoadK)             /* A Bx   R[A] = K[Bx] */                                               \
  X(LoadInt)           /* A sBx  R[A] = sBx */                                                 \
  X(Move)              /* A B    R[A] = R[B] */                                                \
  X(GetVar)            /* A Bx   R[A] = root of var Bx of the code; :undefined when unbound */ \
  X(DefVar)            /* A Bx   root of var Bx = a literal copy of R[A]; R[A] = the var */    \
  X(GetCapture)        /* A B    R[A] = captured value B of the running closure */             \
  X(Closure)           /* A Bx   R[A] = closure of nested code Bx over its captures */         \
  X(Arg)               /* A B    X[A] = R[B] */                                                \
  X(Call)              /* A B C  R[A] = call R[B+2] with the C arguments R[B+3 ...] */         \
  X(TailCall)          /* B C    the same in tail position: the callee takes over the frame */ \
  X(CallNative)        /* A B C  R[A] = intrinsic B applied to X[0..C) */                      \
  X(Return)            /* A      return R[A] */                                                \
  X(Jump)              /* sBx    pc += sBx */                                                  \
  X(JumpIfFalsy)       /* A sBx  if R[A] is nil or false: pc += sBx */                         \
  X(TestEq)            /* A B    R[A] = R[B] (structurally) ? skip the next instruction */     \
  X(TestTuple)         /* A B C  R[A] is a tuple of B elements (C: at least B) ? skip next */  \
  X(TestVector)        /* A B C  the same for vectors */                                       \
  X(TestMap)           /* A      R[A] is a map ? skip next */                                  \
  X(TestMapGet)        /* A B C  map R[B] has key R[C] ? R[A] = its value, skip next */        \
  X(GetElem)           /* A B C  R[A] = element C of the tuple or vector R[B] */               \
  X(RestTuple)         /* A B C  R[A] = tuple of the elements of R[B] from C on */             \
  X(RestVector)        /* A B C  R[A] = vector of the elements of R[B] from C on */            \
  X(TestSet)           /* A B    R[A] is a set of B elements ? skip next */                    \
  X(TestSetHas)        /* A B    R[B] is an element of the set R[A] ? skip next */             \
  X(SetElem)           /* A B C  R[A] = element C (insertion order) of the set R[B] */         \
  X(TestBinary)        /* A Bx   R[A] is a binary of Bx bytes ? skip next */                   \
  X(TestBinaryAtLeast) /* A Bx  R[A] is a binary of at least Bx bytes ? skip next */           \
  X(GetBits)           /* A B +W R[A] = the bit field W (BitField) of the binary R[B] */       \
  X(BinaryRest)        /* A B +W R[A] = the bytes of the binary R[B] from byte W on */         \
  X(BadMatch)          /* A      crash with :badmatch on R[A] */                               \
  X(MakeTuple)         /* A B C  R[A] = tuple of R[B..B+C) */                                  \
  X(MakeVector)        /* A B C  R[A] = vector of R[B..B+C) */                                 \
  X(MakeList)          /* A B C  R[A] = list of R[B..B+C) */                                   \
  X(MakeMap)           /* A B C  R[A] = map of C pairs R[B..B+2C) */                           \
  X(MakeSet)           /* A B C  R[A] = set of R[B..B+C) */                                    \
  X(Add)               /* A B C  R[A] = R[B] + R[C] (small-integer fast path) */               \
  X(Sub)               /* A B C */                                                             \
  X(Mul)               /* A B C */                                                             \
  X(Lt)                /* A B C  R[A] = R[B] < R[C] */                                         \
  X(Le)                /* A B C */                                                             \
  X(Gt)                /* A B C */                                                             \
  X(Ge)                /* A B C */                                                             \
  X(NumEq)             /* A B C  R[A] = (= R[B] R[C]) */                                       \
  X(AddI)              /* A B C  R[A] = R[B] + C, C a signed byte (a constant operand) */      \
  X(SubI)              /* A B C  R[A] = R[B] - C */                                            \
  X(LtI)               /* A B C  R[A] = R[B] < C */                                            \
  X(LeI)               /* A B C */                                                             \
  X(GtI)               /* A B C */                                                             \
  X(GeI)               /* A B C */                                                             \
  X(EqI)               /* A B C  R[A] = (= R[B] C) */                                          \
  X(LtJ)               /* A B C  R[A] = R[B] < R[C]; when false, take the next Jump */         \
  X(LeJ)               /* A B C */                                                             \
  X(GtJ)               /* A B C */                                                             \
  X(GeJ)               /* A B C */                                                             \
  X(NumEqJ)            /* A B C */                                                             \
  X(LtIJ)              /* A B C  R[A] = R[B] < C; when false, take the next Jump */            \
  X(LeIJ)              /* A B C */                                                             \
  X(GtIJ)              /* A B C */                                                             \
  X(GeIJ)              /* A B C */                                                             \
  X(EqIJ)              /* A B C */                                                             \
  X(RecvPeek)          /* A      R[A] = message at the save pointer ? skip next (the Jump) */  \
  X(RecvNext)          /*        advance the save pointer */                                   \
  X(RecvRemove)        /*        remove the message at the save pointer; the receive ends */   \
  X(RecvWait)          /*        wait for a message; then take the next Jump (back to peek) */ \
  X(RecvWaitTimeout)   /* A      the same, R[A] ms at most; on timeout skip the Jump */

// Instructions marked +W are followed by one more word, an operand too wide for A B C.
// GetBits' word describes the field: its size in bits (1..64), signedness, byte order, and its
// offset in bits from the start of the binary.
namespace bit_field_word {
constexpr uint32_t kSizeMask = 0x7F;
constexpr uint32_t kSigned = 1u << 7;
constexpr uint32_t kLittle = 1u << 8;
constexpr uint32_t kOffsetShift = 9;
constexpr uint32_t kMaxOffset = (1u << (32 - kOffsetShift)) - 1;
}  // namespace bit_field_word

enum class Op : uint8_t {
#define LONA_OP_ENUM(name) k##name,
  LONA_OPCODES(LONA_OP_ENUM)
#undef LONA_OP_ENUM
      kCount
};

constexpr int kSBxBias = 32767;
constexpr int kMaxRegisters = 255;

namespace instr {
// The largest intrinsic id that CallNative's B operand holds.
constexpr uint32_t kMaxCallNativeId = 0xFF;
constexpr uint32_t abc(Op op, uint32_t a, uint32_t b, uint32_t c) {
  return static_cast<uint32_t>(op) | a << 8 | b << 16 | c << 24;
}
constexpr uint32_t abx(Op op, uint32_t a, uint32_t bx) {
  return static_cast<uint32_t>(op) | a << 8 | bx << 16;
}
constexpr uint32_t asbx(Op op, uint32_t a, int sbx) {
  return abx(op, a, static_cast<uint32_t>(sbx + kSBxBias));
}
constexpr Op op(uint32_t i) { return static_cast<Op>(i & 0xFF); }
constexpr uint32_t a(uint32_t i) { return (i >> 8) & 0xFF; }
constexpr uint32_t b(uint32_t i) { return (i >> 16) & 0xFF; }
constexpr uint32_t c(uint32_t i) { return i >> 24; }
constexpr uint32_t bx(uint32_t i) { return i >> 16; }
constexpr int sbx(uint32_t i) { return static_cast<int>(i >> 16) - kSBxBias; }
}  // namespace instr

// Where a closure's captured value comes from when the closure is made.
struct CaptureSource {
  bool from_capture;  // false: register `index` of the creating frame; true: its capture `index`
  uint8_t index;
};

// One compiled function. Realm-global and immutable once built; closures point at it.
struct Code {
  std::vector<uint32_t> instrs;
  std::vector<Term> constants;  // in the literal area
  std::vector<Var*> vars;
  std::vector<std::unique_ptr<Code>> nested;
  std::vector<CaptureSource> captures;
  uint32_t nparams = 0;   // parameter registers R[1 .. nparams]
  bool variadic = false;  // the last parameter takes the rest of the arguments as a tuple
  // The number of arguments a call must pass (kVariadicArity when variadic), so that the
  // interpreter's fast path checks one number.
  static constexpr uint32_t kVariadicArity = 0xFFFFFFFF;
  uint32_t exact_arity = 0;
  uint32_t frame_size = 0;
  Term name;  // a symbol, or nil
};

// A closure term's code pointer travels as a small integer (pointers are 8-aligned), so the GC
// copies it as the plain value it is.
inline Term code_term(const Code* code) {
  return Term::fixnum(static_cast<int64_t>(reinterpret_cast<uintptr_t>(code) >> 3));
}
inline const Code* code_of(Term code_term) {
  return reinterpret_cast<const Code*>(static_cast<uintptr_t>(code_term.fixnum_value()) << 3);
}

const char* op_name(Op op);
// Whether `op` is followed by an operand word (the +W instructions).
constexpr bool has_operand_word(Op op) { return op == Op::kGetBits || op == Op::kBinaryRest; }
std::string disassemble(const Code& code);

}  // namespace lona
