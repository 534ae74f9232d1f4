// vm/intrinsics: the capability and msg-info data types of lona.core (reference 3, 4.1, 8.2).
//
// Capabilities cannot be written in source: the kernel (on Linux, the runtime's simulated kernel
// objects) hands them out through make_capability. The intrinsics (kernel_intrinsic_table in
// native_context.hpp) only test and inspect them. msg-info is plain data, made by (msg-info l n c).
#pragma once

#include <cstdint>

#include "runtime/term/heap.hpp"
#include "runtime/term/kernel_object.hpp"

namespace lona {

// A new capability, distinct from (not `=` to) every capability made before, of the type named by
// `type_keyword` (:tcb :endpoint ... :vcpu, kCapTypeNames) with `rights` (a mask of CapRight).
// nil when `type_keyword` names no capability type.
Term make_capability(Heap& heap, Term type_keyword, uint8_t rights);
Term make_capability(Heap& heap, CapType type, uint8_t rights);

}  // namespace lona
