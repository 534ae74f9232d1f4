// runtime/term: the language-level kind of any term (what `type` reports and what the printer,
// equality and hashing dispatch on), independent of how the term is represented.
#pragma once

#include <string_view>

#include "runtime/term/object.hpp"

namespace lona {

enum class Kind : uint8_t {
  kNil,
  kBoolean,
  kInteger,
  kFloat,
  kRatio,
  kFixed,
  kChar,
  kString,
  kSymbol,
  kKeyword,
  kList,
  kTuple,
  kVector,
  kMap,
  kSet,
  kBinary,
  kBytebuf,
  kPaddr,
  kVaddr,
  kCapability,
  kMsgInfo,
  kPid,
  kRef,
  kRealmId,
  kFunction,
  kVar,
  kNamespace,
  kUnbound,
  kInternal,
};

inline Kind kind_of(Term t) {
  if (t.is_fixnum()) return Kind::kInteger;
  if (t.is_cons() || t.is_empty_list()) return Kind::kList;
  if (t.is_boxed()) {
    switch (object_tag(t)) {
      case ObjTag::kTuple:
        return Kind::kTuple;
      case ObjTag::kVector:
        return Kind::kVector;
      case ObjTag::kMap:
        return Kind::kMap;
      case ObjTag::kSet:
        return Kind::kSet;
      case ObjTag::kRatio:
        return Kind::kRatio;
      case ObjTag::kMetaSymbol:
        return Kind::kSymbol;
      case ObjTag::kClosure:
        return Kind::kFunction;
      case ObjTag::kString:
        return Kind::kString;
      case ObjTag::kBinary:
        return Kind::kBinary;
      case ObjTag::kBigInt:
        return Kind::kInteger;
      case ObjTag::kFloat:
        return Kind::kFloat;
      case ObjTag::kFixedInt:
        return Kind::kFixed;
      case ObjTag::kBytebuf:
        return Kind::kBytebuf;
      case ObjTag::kPaddr:
        return Kind::kPaddr;
      case ObjTag::kVaddr:
        return Kind::kVaddr;
      case ObjTag::kCapability:
        return Kind::kCapability;
      case ObjTag::kMsgInfo:
        return Kind::kMsgInfo;
      case ObjTag::kPid:
        return Kind::kPid;
      case ObjTag::kRef:
        return Kind::kRef;
      case ObjTag::kRealmId:
        return Kind::kRealmId;
      case ObjTag::kHashIndex:
        return Kind::kInternal;
    }
    return Kind::kInternal;
  }
  if (t.is_symbol()) return Kind::kSymbol;
  if (t.is_keyword()) return Kind::kKeyword;
  if (t.is_char()) return Kind::kChar;
  if (t.is_native_fn()) return Kind::kFunction;
  if (t.is_var()) return Kind::kVar;
  if (t.is_ns()) return Kind::kNamespace;
  if (t.is_nil()) return Kind::kNil;
  if (t.is_boolean()) return Kind::kBoolean;
  if (t.is_unbound()) return Kind::kUnbound;
  return Kind::kInternal;
}

}  // namespace lona
