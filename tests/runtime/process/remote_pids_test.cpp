// Stand-ins for processes of other realms (runtime/sched/remote_pids.hpp): ids that never name a
// local process, envelopes for them handed to the realm's route, and the signals that come back
// naming the remote pid. The route here records what it is given; the real one, which sends
// through the LMM, is tested end to end by tests/lmm/realms_test.py.
#include "runtime/sched/remote_pids.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "runtime/process/envelope.hpp"
#include "runtime/process/process_table.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {
namespace {

TEST(RemotePids, AStandInIsStableDistinctAndNeverLocal) {
  RemotePids pids;
  uint64_t a = pids.stand_in(7, 42);
  EXPECT_TRUE(RemotePids::is_remote(a));
  EXPECT_EQ(pids.stand_in(7, 42), a);
  uint64_t b = pids.stand_in(7, 43);
  uint64_t c = pids.stand_in(8, 42);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  std::optional<RemoteAddress> address = pids.address(c);
  ASSERT_TRUE(address);
  EXPECT_EQ(address->realm, 8u);
  EXPECT_EQ(address->local, 42u);
  // A local id (ProcessTable ids fit in 61 bits) and an id never handed out name nothing.
  EXPECT_FALSE(RemotePids::is_remote(ProcessTable::kSlotMask | (uint64_t{1} << 60)));
  EXPECT_FALSE(pids.address(5));
  EXPECT_FALSE(pids.address(RemotePids::kRemoteBit | 1000));
}

struct Sent {
  uint64_t stand_in;
  RemoteAddress to;
  EnvelopeKind kind;
  uint64_t from;
  uint64_t ref;
};

class RecordingRoute final : public RemoteRoute {
 public:
  void send(uint64_t stand_in, const RemoteAddress& to, Envelope* e) override {
    {
      std::lock_guard<std::mutex> lock(mutex);
      sent.push_back({stand_in, to, e->kind, e->from, e->ref});
    }
    Envelope::destroy(e);
  }
  std::mutex mutex;
  std::vector<Sent> sent;
};

TEST(RemotePids, SignalsToAStandInGoToTheRouteAndAnswersNameTheRemotePid) {
  Runtime& rt = Runtime::get();
  uint64_t remote = rt.remote_pids().stand_in(9, 77);
  // Without a route an envelope for a stand-in reaches nobody, as for a process that is gone.
  EXPECT_FALSE(rt.send(remote, Envelope::make(EnvelopeKind::kMessage, 0, Term::nil())));

  RecordingRoute route;
  Runtime::set_remote_route(&route);
  Heap heap(64);
  Process* self = rt.attach_bound(heap);
  self->set_trap_exit(true);
  rt.link(*self, remote);
  uint64_t ref = rt.monitor(*self, remote);
  ASSERT_EQ(route.sent.size(), 2u);
  EXPECT_EQ(route.sent[0].kind, EnvelopeKind::kLink);
  EXPECT_EQ(route.sent[0].stand_in, remote);
  EXPECT_EQ(route.sent[0].to.realm, 9u);
  EXPECT_EQ(route.sent[0].to.local, 77u);
  EXPECT_EQ(route.sent[0].from, self->id());
  EXPECT_EQ(route.sent[1].kind, EnvelopeKind::kMonitor);
  EXPECT_EQ(route.sent[1].ref, ref);
  // Nothing came back at once: the other realm answers for its process.
  EXPECT_TRUE(self->take_mail());
  EXPECT_EQ(self->message_count(), 0u);

  // The other realm's answers, as its route delivers them: the messages name pid 9.77.
  Envelope* exit = Envelope::make(EnvelopeKind::kExit, remote, make_keyword("boom"));
  exit->linked = true;
  rt.send(self->id(), exit);
  Envelope* down = Envelope::make(EnvelopeKind::kDown, remote, make_keyword("boom"));
  down->ref = ref;
  rt.send(self->id(), down);
  ASSERT_TRUE(self->take_mail());
  ASSERT_EQ(self->message_count(), 2u);
  Term exit_message = self->message(0);
  Term down_message = self->message(1);
  ASSERT_TRUE(is_tuple(exit_message));
  Term from = array_at(exit_message, 1);
  ASSERT_TRUE(is_pid(from));
  EXPECT_EQ(pid_realm(from), 9u);
  EXPECT_EQ(pid_local(from), 77u);
  EXPECT_EQ(array_at(exit_message, 2), make_keyword("boom"));
  EXPECT_TRUE(self->links().empty());
  ASSERT_TRUE(is_tuple(down_message));
  EXPECT_EQ(pid_realm(array_at(down_message, 2)), 9u);
  EXPECT_TRUE(self->monitors().empty());

  // Its exit tells the remote process it was linked to (linked again here).
  rt.link(*self, remote);
  rt.detach_bound(self);
  Runtime::set_remote_route(nullptr);
  ASSERT_EQ(route.sent.size(), 4u);
  EXPECT_EQ(route.sent[2].kind, EnvelopeKind::kLink);
  EXPECT_EQ(route.sent[3].kind, EnvelopeKind::kExit);
  EXPECT_EQ(route.sent[3].stand_in, remote);
}

}  // namespace
}  // namespace lona
