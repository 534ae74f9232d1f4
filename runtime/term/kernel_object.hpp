// runtime/term: terms that stand for kernel things: capabilities and seL4 message infos.
//
// A capability names a kernel object and what its holder may do with it. On seL4 it will wrap a
// CSpace slot; hosted on Linux the runtime simulates the few objects it hands out (reference 8.2).
// Its identity is a realm-unique 64-bit id, not its address: the collector moves the object and a
// deep copy (into the literal area, or into a message) duplicates it, and `=` must still see the
// same capability. The payload is raw (no heap pointers), so the collector copies it blindly:
//
//   [id, rights << 8 | type]
//
// A message info is the word seL4 passes with every IPC, packed as seL4 packs it on 64-bit
// targets, so the kernel binding can hand the word over as it is:
//
//   bits 63..12 label (52 bits), 11..9 caps unwrapped (always 0 here), 8..7 extra caps,
//   6..0 length in message registers (at most seL4_MsgMaxLength = 120)
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"

namespace lona {

// --- capabilities --------------------------------------------------------------------------------

// The kernel object types a capability can name: the ten of lona.core and the fifteen
// architecture-specific ones (page-table levels of x86-64 and AArch64, control caps, IOMMU, VCPU).
enum class CapType : uint8_t {
  kTcb,
  kEndpoint,
  kNotification,
  kCnode,
  kUntyped,
  kFrame,
  kVspace,
  kSchedContext,
  kIrqHandler,
  kPort,
  kPml4,
  kPgd,
  kPdpt,
  kPud,
  kPageDirectory,
  kPmd,
  kPageTable,
  kPte,
  kSchedControl,
  kIrqControl,
  kAsidControl,
  kAsidPool,
  kFdt,
  kIospace,
  kVcpu,
  kCount,
};

// The keyword name of each type (cap-type), in CapType order; the predicate is "<name>-cap?".
inline constexpr std::string_view kCapTypeNames[] = {
    "tcb",          "endpoint",   "notification",  "cnode",         "untyped",
    "frame",        "vspace",     "sched-context", "irq-handler",   "port",
    "pml4",         "pgd",        "pdpt",          "pud",           "page-directory",
    "pmd",          "page-table", "pte",           "sched-control", "irq-control",
    "asid-control", "asid-pool",  "fdt",           "iospace",       "vcpu",
};
static_assert(std::size(kCapTypeNames) == static_cast<size_t>(CapType::kCount));

inline std::string_view cap_type_name(CapType t) { return kCapTypeNames[static_cast<size_t>(t)]; }
inline std::optional<CapType> cap_type_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kCapTypeNames); ++i) {
    if (kCapTypeNames[i] == name) return static_cast<CapType>(i);
  }
  return std::nullopt;
}

// Rights, as a mask. Bit i is named kCapRightNames[i].
enum CapRight : uint8_t {
  kCapRead = 1,
  kCapWrite = 2,
  kCapGrant = 4,
  kCapGrantReply = 8,
};
constexpr uint8_t kCapAllRights = kCapRead | kCapWrite | kCapGrant | kCapGrantReply;
inline constexpr std::string_view kCapRightNames[] = {"read", "write", "grant", "grant-reply"};

inline std::optional<uint8_t> cap_right_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kCapRightNames); ++i) {
    if (kCapRightNames[i] == name) return static_cast<uint8_t>(1u << i);
  }
  return std::nullopt;
}

// A fresh id, unique in the realm (ids are never reused, so a stale copy never aliases a new cap).
inline uint64_t next_capability_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// The capability object itself; the language-level factory (which checks the type keyword and
// draws the id) is make_capability in vm/intrinsics/kernel_types.hpp.
inline Term make_capability_object(Heap& heap, uint64_t id, CapType type, uint8_t rights) {
  Word* p = heap.alloc(3);
  p[0] = header::make(ObjTag::kCapability, 0, 2);
  p[1] = id;
  p[2] = (Word{static_cast<uint8_t>(rights & kCapAllRights)} << 8) | static_cast<uint8_t>(type);
  return Term::boxed_ptr(p);
}
inline bool is_capability(Term t) { return is_object(t, ObjTag::kCapability); }
inline uint64_t capability_id(Term t) { return object_of(t)[1]; }
inline CapType capability_type(Term t) { return static_cast<CapType>(object_of(t)[2] & 0xFF); }
inline uint8_t capability_rights(Term t) {
  return static_cast<uint8_t>((object_of(t)[2] >> 8) & kCapAllRights);
}

// --- message infos -------------------------------------------------------------------------------

constexpr uint64_t kMsgInfoMaxLabel = (uint64_t{1} << 52) - 1;
constexpr uint64_t kMsgInfoMaxLength = 120;  // seL4_MsgMaxLength
constexpr uint64_t kMsgInfoMaxCaps = 3;      // seL4_MsgMaxExtraCaps

// The fields must be within the bounds above (the intrinsic checks them).
inline Term make_msg_info(Heap& heap, uint64_t label, uint64_t length, uint64_t caps) {
  Word* p = heap.alloc(2);
  p[0] = header::make(ObjTag::kMsgInfo, 0, 1);
  p[1] = (label << 12) | ((caps & 3) << 7) | (length & 0x7F);
  return Term::boxed_ptr(p);
}
inline bool is_msg_info(Term t) { return is_object(t, ObjTag::kMsgInfo); }
inline uint64_t msg_info_word(Term t) { return object_of(t)[1]; }
inline uint64_t msg_info_label(Term t) { return msg_info_word(t) >> 12; }
inline uint64_t msg_info_caps(Term t) { return (msg_info_word(t) >> 7) & 3; }
inline uint64_t msg_info_length(Term t) { return msg_info_word(t) & 0x7F; }

}  // namespace lona
