// The lona.core intrinsics implemented natively (reference section 4.1), one table indexed by id.
#include <atomic>
#include <iostream>
#include <optional>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "runtime/term/utf8.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/arithmetic.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/intrinsics/reflection.hpp"
#include "vm/intrinsics/string_format.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/native/native_function.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

// --- arithmetic and comparison -------------------------------------------------------------------

template <ArithOp kOp>
bool fold_arith(NativeContext& ctx, Args args, Term* out, const char* name, int64_t identity) {
  if (args.empty()) {
    *out = Term::fixnum(identity);
    return true;
  }
  if (args.size() == 1) {
    if (kOp == ArithOp::kSub || kOp == ArithOp::kDiv) {  // (- x) negates, (/ x) inverts
      return arith(ctx, kOp, Term::fixnum(identity), args[0], out, name);
    }
    if (!is_number(args[0])) return type_error(ctx, name, "numbers", args[0]);
    *out = args[0];
    return true;
  }
  Term acc = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    if constexpr (kOp == ArithOp::kAdd || kOp == ArithOp::kSub || kOp == ArithOp::kMul) {
      // Small integers first: no allocation, no trip through the numeric tower.
      int64_t r;
      if (acc.is_fixnum() && args[i].is_fixnum()) {
        int64_t x = acc.fixnum_value(), y = args[i].fixnum_value();
        bool overflow = kOp == ArithOp::kAdd   ? __builtin_add_overflow(x, y, &r)
                        : kOp == ArithOp::kSub ? __builtin_sub_overflow(x, y, &r)
                                               : __builtin_mul_overflow(x, y, &r);
        if (!overflow && Term::fits_fixnum(r)) {
          acc = Term::fixnum(r);
          continue;
        }
      }
    }
    // args[] are GC roots; acc is kept on the heap stack across the allocation.
    ctx.heap.push(acc);
    Term r;
    bool ok = arith(ctx, kOp, ctx.heap.stack().back(), args[i], &r, name);
    ctx.heap.pop();
    if (!ok) return false;
    acc = r;
  }
  *out = acc;
  return true;
}

bool add(NativeContext& c, Args a, Term* o) { return fold_arith<ArithOp::kAdd>(c, a, o, "+", 0); }
bool sub(NativeContext& c, Args a, Term* o) { return fold_arith<ArithOp::kSub>(c, a, o, "-", 0); }
bool mul(NativeContext& c, Args a, Term* o) { return fold_arith<ArithOp::kMul>(c, a, o, "*", 1); }
bool div(NativeContext& c, Args a, Term* o) { return fold_arith<ArithOp::kDiv>(c, a, o, "/", 1); }
bool quot(NativeContext& c, Args a, Term* o) {
  return arith(c, ArithOp::kQuot, a[0], a[1], o, "quot");
}
bool rem(NativeContext& c, Args a, Term* o) {
  return arith(c, ArithOp::kRem, a[0], a[1], o, "rem");
}
bool mod(NativeContext& c, Args a, Term* o) {
  return arith(c, ArithOp::kMod, a[0], a[1], o, "mod");
}

// A chain a < b < c ...: each adjacent pair must satisfy `test` on their comparison.
bool chain_compare(NativeContext& ctx, Args args, Term* out, const char* name, bool (*test)(int)) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    int cmp;
    bool unordered;
    if (!compare_numbers(ctx, args[i], args[i + 1], &cmp, &unordered, name)) return false;
    if (unordered || !test(cmp)) {
      *out = Term::boolean(false);
      return true;
    }
  }
  if (args.size() == 1) {  // still a type check
    int cmp;
    bool unordered;
    if (!compare_numbers(ctx, args[0], args[0], &cmp, &unordered, name)) return false;
  }
  *out = Term::boolean(true);
  return true;
}
bool less(int c) { return c < 0; }
bool less_eq(int c) { return c <= 0; }
bool greater(int c) { return c > 0; }
bool greater_eq(int c) { return c >= 0; }
bool lt(NativeContext& c, Args a, Term* o) { return chain_compare(c, a, o, "<", less); }
bool le(NativeContext& c, Args a, Term* o) { return chain_compare(c, a, o, "<=", less_eq); }
bool gt(NativeContext& c, Args a, Term* o) { return chain_compare(c, a, o, ">", greater); }
bool ge(NativeContext& c, Args a, Term* o) { return chain_compare(c, a, o, ">=", greater_eq); }

bool eq(NativeContext&, Args a, Term* o) {
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    if (!equal(a[i], a[i + 1])) {
      *o = Term::boolean(false);
      return true;
    }
  }
  *o = Term::boolean(true);
  return true;
}
bool not_eq_(NativeContext& c, Args a, Term* o) {
  eq(c, a, o);
  *o = Term::boolean(!o->truthy());
  return true;
}
bool not_(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(!a[0].truthy());
  return true;
}

// --- predicates ----------------------------------------------------------------------------------

#define LONA_PREDICATE(cname, test)             \
  bool cname(NativeContext&, Args a, Term* o) { \
    Term x = a[0];                              \
    *o = Term::boolean(test);                   \
    return true;                                \
  }
LONA_PREDICATE(nil_p, x.is_nil())
LONA_PREDICATE(some_p, !x.is_nil())
LONA_PREDICATE(true_p, x.is_true())
LONA_PREDICATE(false_p, x.is_false())
LONA_PREDICATE(boolean_p, x.is_boolean())
LONA_PREDICATE(number_p, is_number(x))
LONA_PREDICATE(integer_p, is_integer(x))
LONA_PREDICATE(float_p, is_float(x))
LONA_PREDICATE(ratio_p, is_ratio(x))
LONA_PREDICATE(string_p, is_string(x))
LONA_PREDICATE(char_p, x.is_char())
LONA_PREDICATE(symbol_p, is_any_symbol(x))
LONA_PREDICATE(keyword_p, x.is_keyword())
LONA_PREDICATE(list_p, x.is_list())
LONA_PREDICATE(tuple_p, is_tuple(x))
LONA_PREDICATE(vector_p, is_vector(x))
LONA_PREDICATE(map_p, is_map(x))
LONA_PREDICATE(set_p, is_set(x))
LONA_PREDICATE(binary_p, is_binary(x))
LONA_PREDICATE(fn_p, kind_of(x) == Kind::kFunction)
LONA_PREDICATE(var_p, x.is_var())
LONA_PREDICATE(namespace_p, x.is_ns())
#undef LONA_PREDICATE

bool type(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  const char* name = "unknown";
  switch (kind_of(x)) {
    case Kind::kNil:
      name = "nil";
      break;
    case Kind::kBoolean:
      name = "boolean";
      break;
    case Kind::kInteger:
      name = "integer";
      break;
    case Kind::kFloat:
      name = "float";
      break;
    case Kind::kRatio:
      name = "ratio";
      break;
    case Kind::kFixed:
      name = fixed_info(fixed_kind(x)).suffix.data();
      break;
    case Kind::kChar:
      name = "char";
      break;
    case Kind::kString:
      name = "string";
      break;
    case Kind::kSymbol:
      name = "symbol";
      break;
    case Kind::kKeyword:
      name = "keyword";
      break;
    case Kind::kList:
      name = "list";
      break;
    case Kind::kTuple:
      name = "tuple";
      break;
    case Kind::kVector:
      name = "vector";
      break;
    case Kind::kMap:
      name = "map";
      break;
    case Kind::kSet:
      name = "set";
      break;
    case Kind::kBytebuf:
      name = "bytebuf";
      break;
    case Kind::kPaddr:
      name = "paddr";
      break;
    case Kind::kVaddr:
      name = "vaddr";
      break;
    case Kind::kBinary:
      name = "binary";
      break;
    case Kind::kCapability:
      name = "cap";
      break;
    case Kind::kMsgInfo:
      name = "msg-info";
      break;
    case Kind::kPid:
      name = "pid";
      break;
    case Kind::kRef:
      name = "ref";
      break;
    case Kind::kRealmId:
      name = "realm-id";
      break;
    case Kind::kFunction:
      name = "fn";
      break;
    case Kind::kVar:
      name = "var";
      break;
    case Kind::kNamespace:
      name = "namespace";
      break;
    case Kind::kUnbound:
    case Kind::kInternal:
      break;
  }
  (void)ctx;
  *o = make_keyword(name);
  return true;
}

// --- collections ---------------------------------------------------------------------------------

// Pushes all args and builds with `make` (the arguments are roots; the stack is too).
template <Term (*kMake)(Heap&, size_t)>
bool build(NativeContext& ctx, Args args, Term* out) {
  for (Term t : args) ctx.heap.push(t);
  *out = kMake(ctx.heap, args.size());
  return true;
}
bool list(NativeContext& c, Args a, Term* o) { return build<list_from_stack>(c, a, o); }
bool tuple(NativeContext& c, Args a, Term* o) { return build<tuple_from_stack>(c, a, o); }
bool vector(NativeContext& c, Args a, Term* o) { return build<vector_from_stack>(c, a, o); }
bool hash_set(NativeContext& c, Args a, Term* o) { return build<set_from_stack>(c, a, o); }
bool hash_map(NativeContext& ctx, Args a, Term* o) {
  if (a.size() % 2 != 0) return ctx.fail("badarg", "hash-map takes an even number of arguments");
  for (Term t : a) ctx.heap.push(t);
  *o = map_from_stack(ctx.heap, a.size() / 2);
  return true;
}

// Elements of a sequential collection (list, tuple, vector, set, map as [k v], string as its
// chars) pushed in order.
bool push_elements(NativeContext& ctx, Term coll, size_t* n, const char* fn) {
  *n = 0;
  if (coll.is_nil()) return true;
  if (is_string(coll)) {  // strings hold valid UTF-8; one char per code point
    std::string_view s = byte_view(coll);
    for (size_t i = 0; i < s.size(); ++*n) {
      uint32_t cp = 0;
      size_t len = utf8::decode(s, i, &cp);
      ctx.heap.push(Term::character(cp));
      i += len == 0 ? 1 : len;
    }
    return true;
  }
  if (coll.is_list()) {
    for (; coll.is_cons(); coll = list_tail(coll), ++*n) ctx.heap.push(list_head(coll));
    return true;
  }
  if (is_tuple(coll) || is_vector(coll)) {
    size_t count = array_count(coll);
    for (size_t i = 0; i < count; ++i) ctx.heap.push(array_at(coll, i));
    *n = count;
    return true;
  }
  if (is_set(coll)) {
    size_t count = set_count(coll);
    for (size_t i = 0; i < count; ++i) ctx.heap.push(set_at(coll, i));
    *n = count;
    return true;
  }
  if (is_map(coll)) {
    size_t count = map_count(coll);
    for (size_t i = 0; i < count; ++i) {  // each entry as a [k v] tuple
      ctx.heap.push(map_key(coll, i));
      ctx.heap.push(map_value(coll, i));
    }
    size_t base = ctx.heap.stack().size() - 2 * count;
    for (size_t i = 0; i < count; ++i) {
      ctx.heap.push(ctx.heap.stack()[base + 2 * i]);
      ctx.heap.push(ctx.heap.stack()[base + 2 * i + 1]);
      Term entry = tuple_from_stack(ctx.heap, 2);
      ctx.heap.stack()[base + i] = entry;
    }
    ctx.heap.stack().resize(base + count);
    *n = count;
    return true;
  }
  return type_error(ctx, fn, "a collection", coll);
}

// (vec coll): a vector of the elements of coll, in one step (append would copy at each element).
bool vec(NativeContext& ctx, Args a, Term* o) {
  size_t n;
  if (!push_elements(ctx, a[0], &n, "vec")) return false;
  *o = vector_from_stack(ctx.heap, n);
  return true;
}

bool count(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  size_t n = 0;
  if (x.is_nil()) {
    n = 0;
  } else if (x.is_list()) {
    for (; x.is_cons(); x = list_tail(x)) ++n;
  } else if (is_tuple(x) || is_vector(x)) {
    n = array_count(x);
  } else if (is_map(x)) {
    n = map_count(x);
  } else if (is_set(x)) {
    n = set_count(x);
  } else if (is_string(x)) {
    for (unsigned char c : byte_view(x)) n += (c & 0xC0) != 0x80;  // code points
  } else if (is_binary(x)) {
    n = byte_view(x).size();
  } else {
    return type_error(ctx, "count", "a collection or string", x);
  }
  *o = Term::fixnum(static_cast<int64_t>(n));
  return true;
}

bool first(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (x.is_nil() || x.is_empty_list()) {
    *o = Term::nil();
  } else if (x.is_cons()) {
    *o = list_head(x);
  } else if (is_tuple(x) || is_vector(x)) {
    *o = array_count(x) == 0 ? Term::nil() : array_at(x, 0);
  } else if (is_set(x)) {
    *o = set_count(x) == 0 ? Term::nil() : set_at(x, 0);
  } else {
    size_t n;
    if (!push_elements(ctx, x, &n, "first")) return false;
    *o = n == 0 ? Term::nil() : ctx.heap.stack()[ctx.heap.stack().size() - n];
    ctx.heap.stack().resize(ctx.heap.stack().size() - n);
  }
  return true;
}

// rest always returns a list.
bool rest(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (x.is_cons()) {
    *o = list_tail(x);
    return true;
  }
  size_t n;
  if (!push_elements(ctx, x, &n, "rest")) return false;
  if (n == 0) {
    *o = Term::empty_list();
    return true;
  }
  std::vector<Term>& st = ctx.heap.stack();
  st.erase(st.end() - static_cast<std::ptrdiff_t>(n));
  *o = list_from_stack(ctx.heap, n - 1);
  return true;
}

bool nth(NativeContext& ctx, Args a, Term* o) {
  Term coll = a[0];
  if (!a[1].is_fixnum()) return type_error(ctx, "nth", "an integer index", a[1]);
  int64_t i = a[1].fixnum_value();
  size_t n;
  if (!push_elements(ctx, coll, &n, "nth")) return false;
  std::vector<Term>& st = ctx.heap.stack();
  size_t base = st.size() - n;
  if (i < 0 || static_cast<size_t>(i) >= n) {
    st.resize(base);
    if (a.size() == 3) {
      *o = a[2];
      return true;
    }
    return ctx.fail("index-out-of-bounds",
                    str_cat("index ", i, " out of bounds for ", n, " elements"));
  }
  *o = st[base + static_cast<size_t>(i)];
  st.resize(base);
  return true;
}

bool get(NativeContext& ctx, Args a, Term* o) {
  Term fallback = a.size() == 3 ? a[2] : Term::nil();
  Term coll = a[0];
  if (is_map(coll)) {
    std::optional<Term> v = map_get(coll, a[1]);
    *o = v ? *v : fallback;
    return true;
  }
  if (is_set(coll)) {
    *o = set_contains(coll, a[1]) ? a[1] : fallback;
    return true;
  }
  if ((is_tuple(coll) || is_vector(coll)) && a[1].is_fixnum()) {
    int64_t i = a[1].fixnum_value();
    *o = i >= 0 && static_cast<size_t>(i) < array_count(coll)
             ? array_at(coll, static_cast<size_t>(i))
             : fallback;
    return true;
  }
  if (coll.is_nil() || is_tuple(coll) || is_vector(coll)) {
    *o = fallback;
    return true;
  }
  return type_error(ctx, "get", "a map, set, tuple, vector or nil", coll);
}

bool put(NativeContext& ctx, Args a, Term* o) {
  Term m = a[0];
  if (!is_map(m) && !m.is_nil()) return type_error(ctx, "put", "a map", m);
  size_t n = m.is_nil() ? 0 : map_count(m);
  for (size_t i = 0; i < n; ++i) {
    ctx.heap.push(map_key(a[0], i));
    ctx.heap.push(map_value(a[0], i));
  }
  ctx.heap.push(a[1]);
  ctx.heap.push(a[2]);
  *o = map_from_stack(ctx.heap, n + 1);
  return true;
}

bool contains_p(NativeContext& ctx, Args a, Term* o) {
  // Maps only (reference 4.1): a set's membership is (s x) or (get s x).
  if (!is_map(a[0])) return type_error(ctx, "contains?", "a map", a[0]);
  *o = Term::boolean(map_get(a[0], a[1]).has_value());
  return true;
}

// O(1) for lists (count would walk them).
bool empty_p(NativeContext& ctx, Args a, Term* o) {
  if (a[0].is_list() || a[0].is_nil()) {
    *o = Term::boolean(!a[0].is_cons());
    return true;
  }
  Term n;
  if (!count(ctx, a, &n)) return false;
  *o = Term::boolean(n.fixnum_value() == 0);
  return true;
}

// (prepend list x): x consed onto the list.
bool prepend(NativeContext& ctx, Args a, Term* o) {
  Term l = a[0].is_nil() ? Term::empty_list() : a[0];
  if (!l.is_list()) return type_error(ctx, "prepend", "a list", l);
  *o = make_cons(ctx.heap, a[1], l);
  return true;
}

// (append coll x): x added at the end of a tuple or vector.
bool append(NativeContext& ctx, Args a, Term* o) {
  Term c = a[0];
  if (!is_tuple(c) && !is_vector(c)) return type_error(ctx, "append", "a tuple or a vector", c);
  size_t n = array_count(c);
  for (size_t i = 0; i < n; ++i) ctx.heap.push(array_at(a[0], i));
  ctx.heap.push(a[1]);
  *o = is_tuple(a[0]) ? tuple_from_stack(ctx.heap, n + 1) : vector_from_stack(ctx.heap, n + 1);
  return true;
}

// (concat coll...): a list of all the elements.
bool concat(NativeContext& ctx, Args a, Term* o) {
  size_t total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    size_t n;
    if (!push_elements(ctx, a[i], &n, "concat")) {
      ctx.heap.stack().resize(ctx.heap.stack().size() - total);
      return false;
    }
    total += n;
  }
  *o = list_from_stack(ctx.heap, total);
  return true;
}

// --- symbols, keywords, strings, metadata --------------------------------------------------------

// Strings and chars as they are, nil as nothing, everything else printed.
bool str(NativeContext& ctx, Args a, Term* o) {
  std::string s;
  for (Term t : a) {
    if (t.is_nil()) continue;
    if (is_string(t)) {
      s.append(byte_view(t));
    } else if (t.is_char()) {
      utf8::encode(t.char_value(), &s);  // the character itself, not its literal
    } else {
      s.append(print(t));
    }
  }
  *o = make_string(ctx.heap, s);
  return true;
}

std::FILE* g_program_output = stderr;

bool println(NativeContext&, Args a, Term* o) {
  std::string line;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0) line.push_back(' ');
    line.append(is_string(a[i]) ? std::string(byte_view(a[i])) : print(a[i]));
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), g_program_output);
  std::fflush(g_program_output);
  *o = Term::nil();
  return true;
}

// (kprint x): x on the console (strings raw), no newline; nil. The original wrote to the UART;
// here the console is stderr, where a program's diagnostics go whatever happens to stdout.
bool kprint(NativeContext&, Args a, Term* o) {
  std::string text = is_string(a[0]) ? std::string(byte_view(a[0])) : print(a[0]);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  *o = Term::nil();
  return true;
}

bool symbol(NativeContext& ctx, Args a, Term* o) {
  if (a.size() == 2) {
    if (!is_string(a[0]) || !is_string(a[1])) return type_error(ctx, "symbol", "strings", a[0]);
    *o = make_symbol(str_cat(byte_view(a[0]), "/", byte_view(a[1])));
    return true;
  }
  if (is_any_symbol(a[0])) {
    *o = bare_symbol(a[0]);
  } else if (is_string(a[0])) {
    *o = make_symbol(byte_view(a[0]));
  } else if (a[0].is_keyword()) {
    *o = make_symbol(name_entry(a[0]).full);
  } else {
    return type_error(ctx, "symbol", "a string, symbol or keyword", a[0]);
  }
  return true;
}

bool keyword(NativeContext& ctx, Args a, Term* o) {
  if (a.size() == 2) {
    if (!is_string(a[0]) || !is_string(a[1])) return type_error(ctx, "keyword", "strings", a[0]);
    *o = make_keyword(str_cat(byte_view(a[0]), "/", byte_view(a[1])));
    return true;
  }
  if (a[0].is_keyword()) {
    *o = a[0];
  } else if (is_string(a[0])) {
    *o = make_keyword(byte_view(a[0]));
  } else if (is_any_symbol(a[0])) {
    *o = make_keyword(name_entry(bare_symbol(a[0])).full);
  } else {
    return type_error(ctx, "keyword", "a string, symbol or keyword", a[0]);
  }
  return true;
}

bool name(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (is_string(x)) {
    *o = x;
    return true;
  }
  if (!is_any_symbol(x) && !x.is_keyword())
    return type_error(ctx, "name", "a symbol or keyword", x);
  *o = make_string(ctx.heap, name_entry(bare_symbol(x)).name());
  return true;
}

bool namespace_(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (!is_any_symbol(x) && !x.is_keyword()) {
    return type_error(ctx, "namespace", "a symbol or keyword", x);
  }
  const SymbolTable::Entry& e = name_entry(bare_symbol(x));
  *o = e.ns_length == 0 ? Term::nil() : make_string(ctx.heap, e.ns());
  return true;
}

std::atomic<uint64_t> gensym_counter{0};
bool gensym(NativeContext& ctx, Args a, Term* o) {
  std::string prefix = "G__";
  if (!a.empty()) {
    if (!is_string(a[0])) return type_error(ctx, "gensym", "a string prefix", a[0]);
    prefix = std::string(byte_view(a[0]));
  }
  *o = make_symbol(str_cat(prefix, gensym_counter.fetch_add(1) + 1));
  return true;
}

bool meta(NativeContext&, Args a, Term* o) {
  *o = a[0].is_var() ? Namespaces::global().var(a[0].index()).get_meta() : meta_of(a[0]);
  return true;
}

bool with_meta_(NativeContext& ctx, Args a, Term* o) {
  if (!can_carry_meta(a[0])) {
    return type_error(ctx, "with-meta", "a symbol or a collection other than a list", a[0]);
  }
  if (!a[1].is_nil() && !is_map(a[1])) return type_error(ctx, "with-meta", "a map", a[1]);
  *o = with_meta(ctx.heap, a[0], a[1]);
  return true;
}

// (var-get v): v's root; for a process-bound var, the calling process's own value when it has one
// (for *ns*, its current namespace).
bool var_get(NativeContext& ctx, Args a, Term* o) {
  if (!a[0].is_var()) return type_error(ctx, "var-get", "a var", a[0]);
  const Var& var = Namespaces::global().var(a[0].index());
  if (var.names_current_ns.load(std::memory_order_relaxed) && ctx.interp != nullptr) {
    *o = Term::ns(ctx.interp->current_ns());
    return true;
  }
  if (var.process_bound.load(std::memory_order_relaxed) && ctx.interp != nullptr) {
    if (std::optional<Term> own = ctx.interp->process()->binding(var.index)) {
      *o = *own;
      return true;
    }
  }
  Term v = var.get();
  if (v.is_unbound()) return ctx.fail("undefined", "the var is unbound");
  *o = v;
  return true;
}

// (seq coll): the elements as a list, or nil when there are none.
bool seq(NativeContext& ctx, Args a, Term* o) {
  if (a[0].is_cons()) {
    *o = a[0];
    return true;
  }
  size_t n;
  if (!push_elements(ctx, a[0], &n, "seq")) return false;
  *o = n == 0 ? Term::nil() : list_from_stack(ctx.heap, n);
  return true;
}

bool identical_p(NativeContext&, Args a, Term* o) {
  *o = Term::boolean(a[0] == a[1]);
  return true;
}

// The keys or values of a map, as a list in insertion order.
template <bool kKeys>
bool map_part(NativeContext& ctx, Args a, Term* o) {
  if (a[0].is_nil()) {
    *o = Term::empty_list();
    return true;
  }
  if (!is_map(a[0])) return type_error(ctx, kKeys ? "keys" : "vals", "a map", a[0]);
  size_t n = map_count(a[0]);
  for (size_t i = 0; i < n; ++i) ctx.heap.push(kKeys ? map_key(a[0], i) : map_value(a[0], i));
  *o = list_from_stack(ctx.heap, n);
  return true;
}
bool keys(NativeContext& c, Args a, Term* o) { return map_part<true>(c, a, o); }
bool vals(NativeContext& c, Args a, Term* o) { return map_part<false>(c, a, o); }

// apply is carried out by the interpreter (which spreads the arguments and calls, in tail position
// when the apply is); this entry only makes it a function value.
bool apply(NativeContext& ctx, Args, Term*) {
  return ctx.fail("internal-error", "apply reached its native stub");
}

const Intrinsic kIntrinsics[] = {
    {"apply", apply, 2, -1},
    {"+", add, 0, -1},
    {"-", sub, 1, -1},
    {"*", mul, 0, -1},
    {"/", div, 1, -1},
    {"quot", quot, 2, 2},
    {"rem", rem, 2, 2},
    {"mod", mod, 2, 2},
    {"<", lt, 1, -1},
    {"<=", le, 1, -1},
    {">", gt, 1, -1},
    {">=", ge, 1, -1},
    {"=", eq, 1, -1},
    {"not=", not_eq_, 1, -1},
    {"not", not_, 1, 1},
    {"nil?", nil_p, 1, 1},
    {"some?", some_p, 1, 1},
    {"true?", true_p, 1, 1},
    {"false?", false_p, 1, 1},
    {"boolean?", boolean_p, 1, 1},
    {"number?", number_p, 1, 1},
    {"integer?", integer_p, 1, 1},
    {"float?", float_p, 1, 1},
    {"ratio?", ratio_p, 1, 1},
    {"string?", string_p, 1, 1},
    {"char?", char_p, 1, 1},
    {"symbol?", symbol_p, 1, 1},
    {"keyword?", keyword_p, 1, 1},
    {"list?", list_p, 1, 1},
    {"tuple?", tuple_p, 1, 1},
    {"vector?", vector_p, 1, 1},
    {"map?", map_p, 1, 1},
    {"set?", set_p, 1, 1},
    {"binary?", binary_p, 1, 1},
    {"fn?", fn_p, 1, 1},
    {"var?", var_p, 1, 1},
    {"namespace?", namespace_p, 1, 1},
    {"type", type, 1, 1},
    {"list", list, 0, -1},
    {"tuple", tuple, 0, -1},
    {"vector", vector, 0, -1},
    {"hash-map", hash_map, 0, -1},
    {"hash-set", hash_set, 0, -1},
    {"count", count, 1, 1},
    {"first", first, 1, 1},
    {"rest", rest, 1, 1},
    {"nth", nth, 2, 3},
    {"get", get, 2, 3},
    {"put", put, 3, 3},
    {"contains?", contains_p, 2, 2},
    {"empty?", empty_p, 1, 1},
    {"prepend", prepend, 2, 2},
    {"append", append, 2, 2},
    {"concat", concat, 0, -1},
    {"str", str, 0, -1},
    {"println", println, 0, -1},
    {"symbol", symbol, 1, 2},
    {"keyword", keyword, 1, 2},
    {"name", name, 1, 1},
    {"namespace", namespace_, 1, 1},
    {"gensym", gensym, 0, 1},
    {"meta", meta, 1, 1},
    {"with-meta", with_meta_, 2, 2},
    {"var-get", var_get, 1, 1},
    {"identical?", identical_p, 2, 2},
    {"seq", seq, 1, 1},
    {"keys", keys, 1, 1},
    {"vals", vals, 1, 1},
    {"eval", reflection::eval, 1, 1},
    {"read-string", reflection::read_string, 1, 1},
    {"create-ns", reflection::create_ns, 1, 1},
    {"find-ns", reflection::find_ns, 1, 1},
    {"ns-name", reflection::ns_name, 1, 1},
    {"in-ns", reflection::in_ns, 1, 1},
    {"refer", reflection::refer, 1, 1},
    {"alias", reflection::alias, 2, 2},
    {"require", reflection::require, 1, 1},
    {"load-file", reflection::load_file, 1, 1},
    {"intern", reflection::intern, 2, 3},
    {"ns-map", reflection::ns_map, 1, 1},
    {"macroexpand-1", reflection::macroexpand_1, 1, 1},
    {"macroexpand", reflection::macroexpand, 1, 1},
    {"garbage-collect", reflection::garbage_collect, 0, 1},
    {"kprint", kprint, 1, 1},
    {"vec", vec, 1, 1},
    {"format", string_format::format, 1, -1},
};

}  // namespace

std::span<const Intrinsic> core_intrinsic_table() { return kIntrinsics; }

namespace {
// A family of intrinsics and the namespace that owns its vars.
struct IntrinsicFamily {
  std::span<const Intrinsic> table;
  const char* ns;
};
// Every family, in id order: core (apply first), numeric, binary, kernel, process, runtime, time,
// realm, notification.
const std::vector<IntrinsicFamily>& families() {
  static const std::vector<IntrinsicFamily>* all =
      new std::vector<IntrinsicFamily>{{core_intrinsic_table(), "lona.core"},
                                       {numeric_intrinsic_table(), "lona.core"},
                                       {binary_intrinsic_table(), "lona.core"},
                                       {kernel_intrinsic_table(), "lona.core"},
                                       {process_intrinsic_table(), "lona.process"},
                                       {runtime_intrinsic_table(), "lona.core"},
                                       {time_intrinsic_table(), "lona.time"},
                                       {realm_intrinsic_table(), "lona.process"},
                                       {notification_intrinsic_table(), "lona.core"},
                                       {notification_process_intrinsic_table(), "lona.process"}};
  return *all;
}
const std::vector<Intrinsic>& all_intrinsics() {
  static const std::vector<Intrinsic>* all = [] {
    auto* v = new std::vector<Intrinsic>();
    for (const IntrinsicFamily& f : families()) v->insert(v->end(), f.table.begin(), f.table.end());
    return v;
  }();
  return *all;
}
}  // namespace

std::span<const Intrinsic> builtin_intrinsics() { return all_intrinsics(); }
void set_program_output(std::FILE* out) { g_program_output = out; }
std::FILE* program_output() { return g_program_output; }
uint32_t intrinsic_count() { return static_cast<uint32_t>(all_intrinsics().size()); }

std::optional<uint32_t> find_intrinsic(std::string_view name) {
  for (uint32_t id = 0; id < intrinsic_count(); ++id) {
    if (name == intrinsic(id).name) return id;
  }
  return std::nullopt;
}

void install_intrinsics() {
  Namespaces& namespaces = Namespaces::global();
  uint32_t id = 0;
  for (const IntrinsicFamily& f : families()) {
    uint32_t ns = namespaces.find_or_create(make_symbol(f.ns));
    for (size_t i = 0; i < f.table.size(); ++i, ++id) {
      Var& v = namespaces.intern(ns, make_symbol(intrinsic(id).name));
      v.set(Term::native_fn(id));
      v.intrinsic.store(true);
    }
  }
}

}  // namespace lona
