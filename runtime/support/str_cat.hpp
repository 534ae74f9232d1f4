// runtime/support: string concatenation for messages.
//
// Debian's Abseil is built with its own absl::string_view (not std::string_view), so
// absl::StrCat does not take std::string_view arguments; this small helper does, and is what
// error messages across the tree are built with.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace lona {

namespace str_cat_internal {
inline void append(std::string* out, std::string_view s) { out->append(s); }
inline void append(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) void append(std::string* out, T v) {
  out->append(std::to_string(v));
}
}  // namespace str_cat_internal

template <typename... Args>
std::string str_cat(const Args&... args) {
  std::string out;
  (str_cat_internal::append(&out, args), ...);
  return out;
}

}  // namespace lona
