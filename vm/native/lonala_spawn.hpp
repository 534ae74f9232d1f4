// vm/native: native code starting Lonala processes.
//
// make_lonala("my.app/worker") makes a Lonala process that will call the function of no
// arguments the var my.app/worker holds; start it as any process: lona::native::start(p), or
// linked or monitored from a native actor (ActorBase::start_link, start_monitor), so that the
// link or monitor is in place before it runs. Give it its arguments in a first message.
#pragma once

#include <string_view>

#include "runtime/native/terms.hpp"
#include "runtime/process/process.hpp"

namespace lona::native {

// A Lonala process, not yet started, running the function var `qualified_name` ("ns/name")
// names; nullptr when there is no such var or its value is not a function. Boots the realm's
// namespaces first if need be (the var's namespace must be loaded already).
Process* make_lonala(std::string_view qualified_name);

// make_lonala, then start(); 0 when there is no such function.
Pid spawn_lonala(std::string_view qualified_name);

}  // namespace lona::native
