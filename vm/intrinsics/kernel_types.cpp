// lona.core intrinsics over kernel data types: capabilities (cap? and the typed predicates,
// cap-type, cap-rights, cap-has-right?) and seL4 message infos (msg-info and its fields)
// (reference 3, 4.1 "Capabilities" and "msg-info", 8.2).
//
// Every predicate is false for anything that is not a capability of its type, never an error. A
// predicate is true for exactly its own type: a :pml4 capability is not a vspace-cap?, because
// which table is the vspace root depends on the architecture, and code that means "any root"
// should say so. The inspectors are :type-error on what is not a capability.
#include "vm/intrinsics/kernel_types.hpp"

#include <optional>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {

Term make_capability(Heap& heap, CapType type, uint8_t rights) {
  return make_capability_object(heap, next_capability_id(), type, rights);
}

Term make_capability(Heap& heap, Term type_keyword, uint8_t rights) {
  if (!type_keyword.is_keyword()) return Term::nil();
  std::optional<CapType> type = cap_type_from_name(name_entry(type_keyword).full);
  if (!type) return Term::nil();
  return make_capability(heap, *type, rights);
}

namespace {

// --- capabilities --------------------------------------------------------------------------------

bool cap_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_capability(a[0]));
  return true;
}

template <CapType kType>
bool typed_cap_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_capability(a[0]) && capability_type(a[0]) == kType);
  return true;
}

bool cap_arg(NativeContext& ctx, Term t, const char* fn) {
  return is_capability(t) || type_error(ctx, fn, "a capability", t);
}

bool cap_type(NativeContext& ctx, Args a, Term* o) {
  if (!cap_arg(ctx, a[0], "cap-type")) return false;
  *o = make_keyword(cap_type_name(capability_type(a[0])));
  return true;
}

// The rights as a set, in the order :read :write :grant :grant-reply.
bool cap_rights(NativeContext& ctx, Args a, Term* o) {
  if (!cap_arg(ctx, a[0], "cap-rights")) return false;
  uint8_t rights = capability_rights(a[0]);
  size_t n = 0;
  for (size_t i = 0; i < std::size(kCapRightNames); ++i) {
    if ((rights & (1u << i)) != 0) {
      ctx.heap.push(make_keyword(kCapRightNames[i]));
      ++n;
    }
  }
  *o = set_from_stack(ctx.heap, n);
  return true;
}

// A keyword that is not a right is :badarg rather than false: a misspelt right would otherwise
// read as "not granted" and fail somewhere far away.
bool cap_has_right_p(NativeContext& ctx, Args a, Term* o) {
  if (!cap_arg(ctx, a[0], "cap-has-right?")) return false;
  if (!a[1].is_keyword()) return type_error(ctx, "cap-has-right?", "a right keyword", a[1]);
  std::optional<uint8_t> right = cap_right_from_name(name_entry(a[1]).full);
  if (!right) {
    return ctx.fail("badarg", str_cat("cap-has-right?: ", print(a[1]),
                                      " is not a right (:read :write :grant :grant-reply)"));
  }
  *o = Term::boolean((capability_rights(a[0]) & *right) != 0);
  return true;
}

// --- message infos -------------------------------------------------------------------------------

// A field of (msg-info label length caps): an integer (plain or fixed-width) in [0, max].
bool field_arg(NativeContext& ctx, Term t, const char* what, uint64_t max, uint64_t* out) {
  BigInt v;
  if (is_integer(t)) {
    v = integer_value(t);
  } else if (is_fixed(t)) {
    v = fixed_value(t);
  } else {
    return type_error(ctx, "msg-info", str_cat("an integer ", what).c_str(), t);
  }
  std::optional<uint64_t> x = v.to_uint64();
  if (!x || *x > max) {
    return ctx.fail("out-of-bounds",
                    str_cat("msg-info: ", what, " ", print(t), " is outside 0..", max));
  }
  *out = *x;
  return true;
}

bool msg_info(NativeContext& ctx, Args a, Term* o) {
  uint64_t label = 0, length = 0, caps = 0;
  if (!field_arg(ctx, a[0], "label", kMsgInfoMaxLabel, &label) ||
      !field_arg(ctx, a[1], "length", kMsgInfoMaxLength, &length) ||
      !field_arg(ctx, a[2], "caps", kMsgInfoMaxCaps, &caps)) {
    return false;
  }
  *o = make_msg_info(ctx.heap, label, length, caps);
  return true;
}

bool msg_info_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(is_msg_info(a[0]));
  return true;
}

// Every field fits a small integer (the label has 52 bits), so reading one never allocates.
template <uint64_t (*kField)(Term)>
bool msg_info_field(NativeContext& ctx, Args a, Term* o, const char* fn) {
  if (!is_msg_info(a[0])) return type_error(ctx, fn, "a msg-info", a[0]);
  *o = Term::fixnum(static_cast<int64_t>(kField(a[0])));
  return true;
}
bool msg_info_label_(NativeContext& c, Args a, Term* o) {
  return msg_info_field<msg_info_label>(c, a, o, "msg-info-label");
}
bool msg_info_length_(NativeContext& c, Args a, Term* o) {
  return msg_info_field<msg_info_length>(c, a, o, "msg-info-length");
}
bool msg_info_caps_(NativeContext& c, Args a, Term* o) {
  return msg_info_field<msg_info_caps>(c, a, o, "msg-info-caps");
}

using T = CapType;

const Intrinsic kIntrinsics[] = {
    {"cap?", cap_p, 1, 1},
    {"tcb-cap?", typed_cap_p<T::kTcb>, 1, 1},
    {"endpoint-cap?", typed_cap_p<T::kEndpoint>, 1, 1},
    {"notification-cap?", typed_cap_p<T::kNotification>, 1, 1},
    {"cnode-cap?", typed_cap_p<T::kCnode>, 1, 1},
    {"untyped-cap?", typed_cap_p<T::kUntyped>, 1, 1},
    {"frame-cap?", typed_cap_p<T::kFrame>, 1, 1},
    {"vspace-cap?", typed_cap_p<T::kVspace>, 1, 1},
    {"sched-context-cap?", typed_cap_p<T::kSchedContext>, 1, 1},
    {"irq-handler-cap?", typed_cap_p<T::kIrqHandler>, 1, 1},
    {"port-cap?", typed_cap_p<T::kPort>, 1, 1},
    {"pml4-cap?", typed_cap_p<T::kPml4>, 1, 1},
    {"pgd-cap?", typed_cap_p<T::kPgd>, 1, 1},
    {"pdpt-cap?", typed_cap_p<T::kPdpt>, 1, 1},
    {"pud-cap?", typed_cap_p<T::kPud>, 1, 1},
    {"page-directory-cap?", typed_cap_p<T::kPageDirectory>, 1, 1},
    {"pmd-cap?", typed_cap_p<T::kPmd>, 1, 1},
    {"page-table-cap?", typed_cap_p<T::kPageTable>, 1, 1},
    {"pte-cap?", typed_cap_p<T::kPte>, 1, 1},
    {"sched-control-cap?", typed_cap_p<T::kSchedControl>, 1, 1},
    {"irq-control-cap?", typed_cap_p<T::kIrqControl>, 1, 1},
    {"asid-control-cap?", typed_cap_p<T::kAsidControl>, 1, 1},
    {"asid-pool-cap?", typed_cap_p<T::kAsidPool>, 1, 1},
    {"fdt-cap?", typed_cap_p<T::kFdt>, 1, 1},
    {"iospace-cap?", typed_cap_p<T::kIospace>, 1, 1},
    {"vcpu-cap?", typed_cap_p<T::kVcpu>, 1, 1},
    {"cap-type", cap_type, 1, 1},
    {"cap-rights", cap_rights, 1, 1},
    {"cap-has-right?", cap_has_right_p, 2, 2},
    {"msg-info", msg_info, 3, 3},
    {"msg-info?", msg_info_p, 1, 1},
    {"msg-info-label", msg_info_label_, 1, 1},
    {"msg-info-length", msg_info_length_, 1, 1},
    {"msg-info-caps", msg_info_caps_, 1, 1},
};

}  // namespace

std::span<const Intrinsic> kernel_intrinsic_table() { return kIntrinsics; }

}  // namespace lona
