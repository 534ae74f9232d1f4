"""The system of realms end to end, with real processes: `lona` (the LMM) boots the init realm,
whose batch REPL this test drives form by form, while it watches the LMM through the control
socket (lonactl's client) and the realms as OS processes. Realms run tests/lmm/lib/realmtest.lona.

Usage: realms_test.py LONA LONACTL LIB_DIR. Run with Debian's /usr/bin/python3."""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

LONA, LONACTL, LIB = sys.argv[1], sys.argv[2], sys.argv[3]
del sys.argv[1:4]

_loader = importlib.machinery.SourceFileLoader("lonactl", LONACTL)
_spec = importlib.util.spec_from_loader("lonactl", _loader)
lonactl = importlib.util.module_from_spec(_spec)
_loader.exec_module(lonactl)

from lona.ipc.RealmStatus import RealmStatus  # noqa: E402  (lonactl put the package on the path)

MiB = 1 << 20


class System:
    """One running lona: its init realm's batch REPL and its control socket."""

    def __init__(self, *lmm_options, env=None):
        self.dir = tempfile.mkdtemp(prefix="lona-realms-test-")
        self.socket = os.path.join(self.dir, "control.sock")
        self.process = subprocess.Popen(
            [LONA, "--control", self.socket, "--lib", LIB, *lmm_options, "repl", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            env=dict(os.environ, **(env or {})))
        # The first answer means the init realm has booted (and the control socket is up).
        assert self.eval("(+ 1 2)") == "3"
        self.control, self.control_socket = lonactl.connect(self.socket)

    def eval(self, form):
        """Evaluates one form in the init realm: its printed value (or ERROR line)."""
        self.process.stdin.write(form.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError("lona ended while evaluating " + form)
        return line.rstrip("\n")

    def realms(self):
        return {r.realm.value: r for r in self.control.list_realms().value.realms}

    def stats(self, realm):
        return self.control.stats(lonactl.realm_request(realm)).value

    def close(self):
        self.control_socket.close()
        self.process.stdin.close()
        status = self.process.wait(timeout=30)
        self.process.stdout.close()
        return status


def realm_number(printed):
    match = re.fullmatch(r"#realm-id<(\d+)>", printed)
    assert match, printed
    return int(match.group(1))


def os_process_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def os_process_state(pid):
    """The state letter of /proc/PID/stat (Z: ended, not reaped), or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[0]


def spares_of(lmm_pid):
    """The OS processes the LMM keeps as spares (lmm/spare_pool.hpp): its children whose
    command line says --spare."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                words = f.read().split(b"\0")
        except OSError:
            continue
        # The fields after the command name, which is in parentheses: state, ppid, ...
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == lmm_pid and fields[0] != "Z" and b"--spare" in words:
            found.append(int(entry))
    return found


def audit(realms):
    """The LMM's books, checked from outside: each realm's subtree holds its own grants and the
    charge (at least its reservation) of each child; none holds more than its limit."""
    for realm in realms.values():
        children = [r for r in realms.values() if r.parent.value == realm.realm.value]
        expected = realm.usage.memoryBytes + sum(
            max(c.usage.memoryBytesSubtree, c.policy.memory.minBytes) for c in children)
        if realm.usage.memoryBytesSubtree != expected:
            return "realm %d: subtree %d, parts %d" % (
                realm.realm.value, realm.usage.memoryBytesSubtree, expected)
        if realm.usage.memoryBytesSubtree > realm.policy.memory.maxBytes:
            return "realm %d over its limit" % realm.realm.value
    return ""


class RealmTreeTest(unittest.TestCase):
    """A three-level tree with policies: spawn-in, sends between realms, a quota exhausted in the
    grandchild, and the middle realm killed with SIGKILL."""

    def setUp(self):
        self.lona = System("--memory", "1G")

    def tearDown(self):
        self.lona.close()

    def counts(self):
        reply = self.lona.control.count_processes().value
        return {count.realm.value: count.processes for count in reply.counts}

    def test_tree_policies_spawn_and_send(self):
        e = self.lona.eval
        e("(def a (realm-create %{:name 'a :policy %{:memory %{:min 1048576 :max 268435456}"
          " :cpu %{:min 10 :max 50}}}))")
        e("(spawn-in a realmtest/make-child (self) 'b %{:memory %{:max 134217728}})")
        e("(def b (receive [:child b] b :after 5000 :timeout))")
        e("(spawn-in b realmtest/make-child (self) 'c %{:memory %{:max 67108864}})")
        e("(def c (receive [:child c] c :after 5000 :timeout))")
        a, b, c = (realm_number(e(x)) for x in ("a", "b", "c"))
        realms = self.lona.realms()
        self.assertEqual(sorted(realms), [1, a, b, c])
        self.assertEqual([realms[x].parent.value for x in (a, b, c)], [1, a, b])
        self.assertEqual([realms[x].policy.memory.maxBytes for x in (a, b, c)],
                         [256 * MiB, 128 * MiB, 64 * MiB])
        self.assertEqual(realms[a].policy.memory.minBytes, MiB)
        self.assertEqual(realms[a].policy.cpu.maxPercent, 50)
        # a's reservation is carved out of the init realm's budget.
        self.assertGreaterEqual(realms[1].usage.memoryBytesSubtree, MiB)
        self.assertEqual(e("(child-realms)"), "#{#realm-id<%d>}" % a)
        self.assertEqual(e("(:parent (realm-info c))"), "#realm-id<%d>" % b)
        self.assertEqual(e("(:policy (realm-info b))"),
                         "%%{:cpu %%{:min 0 :max 0} :memory %%{:min 0 :max %d}}" % (128 * MiB))

        # spawn-in reaches any descendant; the process runs there, and answers across realms.
        e("(def p (spawn-in c realmtest/echo (self) :hello))")
        self.assertEqual(e("(pid-realm p)"), "#realm-id<%d>" % c)
        self.assertEqual(e("(receive [:hello r pid] [r (= pid p)] :after 5000 :timeout)"),
                         "[#realm-id<%d> true]" % c)
        # Terms cross realms by value: nested collections, big integers, strings, keywords.
        e("(def relay (spawn-in c realmtest/relay))")
        msg = '%{:a [1 2.5 "x" sym :kw {3 4} #{5}] :big 123456789012345678901234567890 :n nil}'
        e("(send relay [(self) (quote %s)])" % msg)
        self.assertEqual(e("(= (receive [:got m] m :after 5000 :timeout) (quote %s))" % msg), "true")
        # What cannot travel is :badarg at the sender, and the relay is still there.
        self.assertTrue(e("(send relay (fn* [] 1))").startswith("ERROR :badarg"))
        e("(send relay [(self) :again])")
        self.assertEqual(e("(receive [:got m] m :after 5000 :timeout)"), ":again")
        # lonactl shows the tree and c's processes (asked of c itself, through the LMM); c
        # reports how many it has.
        out = io.StringIO()
        self.assertEqual(lonactl.main(["--control", self.lona.socket, "realms"], out), 0)
        self.assertEqual([line.split()[1] for line in out.getvalue().splitlines()[1:]],
                         ["init", "a", "b", "c"])
        out = io.StringIO()
        self.assertEqual(lonactl.main(["--control", self.lona.socket, "processes", str(c)], out), 0)
        self.assertIn("#pid<%d." % c, out.getvalue())
        deadline = time.time() + 10
        while time.time() < deadline and self.counts().get(c, 0) == 0:
            time.sleep(0.01)
        self.assertGreaterEqual(self.counts()[c], 1)
        # Only descendants: the init realm is nobody's descendant; a function c does not have
        # gives a process that exits with :undefined.
        self.assertEqual(e("(spawn-in (self-realm) realmtest/echo)"), "[:error :not-descendant]")
        e("(def q (spawn-in c realmtest/no-such-function))")
        self.assertEqual(e("(pid? q)"), "true")
        self.assertEqual(e("(realm-terminate a)"), ":ok")
        self.assertEqual(sorted(self.lona.realms()), [1])
        self.assertEqual(audit(self.lona.realms()), "")

    def test_quota_exhausted_in_a_grandchild(self):
        e = self.lona.eval
        e("(def a (realm-create %{:name 'a :policy %{:memory %{:max 268435456}}}))")
        e("(spawn-in a realmtest/make-child (self) 'b %{:memory %{:max 134217728}})")
        e("(def b (receive [:child b] b :after 5000 :timeout))")
        e("(spawn-in b realmtest/make-child (self) 'c %{:memory %{:max 16777216}})")
        e("(def c (receive [:child c] c :after 5000 :timeout))")
        c = realm_number(e("c"))
        e("(spawn-in c realmtest/hog (self) 8388608)")
        self.assertEqual(e("(receive [:hog r] r :after 5000 :timeout)"), ":ok")
        # 8 MiB more would pass c's 16 MiB limit with what it holds: refused, and c lives on.
        e("(spawn-in c realmtest/hog (self) 12582912)")
        self.assertEqual(e("(receive [:hog r] r :after 5000 :timeout)"), "[:error :out-of-memory]")
        self.assertEqual(e("(:status (realm-info c))"), ":running")
        e("(spawn-in c realmtest/hog (self) 4194304)")
        self.assertEqual(e("(receive [:hog r] r :after 5000 :timeout)"), ":ok")
        stats = self.lona.stats(c)
        self.assertEqual(stats.grantedBytes, 12 * MiB)
        self.assertEqual(stats.limitBytes, 16 * MiB)
        realms = self.lona.realms()
        self.assertEqual(realms[c].usage.memoryBytes, 12 * MiB)
        # The grandchild's grants count in every ancestor's subtree.
        for ancestor in (1, realm_number(e("a")), realm_number(e("b"))):
            self.assertGreaterEqual(realms[ancestor].usage.memoryBytesSubtree, 12 * MiB)
        self.assertEqual(audit(realms), "")

    def test_memory_pressure(self):
        """memory-pressure-handler's function runs, in the realm, each time the realm's share of
        its limit changes level: :low from 75%, :critical from 90%, :normal below 75%."""
        e = self.lona.eval
        self.assertEqual(e("(memory-pressure-handler 42)")[:17], "ERROR :type-error")
        e("(def c (realm-create %{:name 'c :policy %{:memory %{:max 16777216}}}))")
        e("(spawn-in c realmtest/pressure (self))")
        self.assertEqual(e("(receive [:handler r] r :after 5000 :timeout)"), ":ok")
        levels = []
        for step, mib in (("hog", 11), ("hog", 1), ("hog", 3), ("give-back", 4)):
            e("(spawn-in c realmtest/%s (self) %d)" % (step, mib * MiB))
            e("(receive [(:or :hog :returned) _] :ok :after 5000 :timeout)")
            heard = []
            while not heard or heard[-1] != ":none":
                heard.append(e("(receive [:pressure l] l :after 300 :none)"))
            levels.append(heard[:-1])
        # 11 MiB (69%): no change; 12 MiB: :low; 15 MiB: :critical; giving back the grants of
        # 3 MiB and 1 MiB: :low, then :normal.
        self.assertEqual(levels, [[], [":low"], [":critical"], [":low", ":normal"]])

    def test_sigkill_of_the_middle_realm(self):
        e = self.lona.eval
        e("(def a (realm-create %{:name 'a}))")
        e("(spawn-in a realmtest/make-child (self) 'b nil)")
        e("(def b (receive [:child b] b :after 5000 :timeout))")
        e("(spawn-in b realmtest/make-child (self) 'c nil)")
        e("(def c (receive [:child c] c :after 5000 :timeout))")
        a, b, c = (realm_number(e(x)) for x in ("a", "b", "c"))
        e("(spawn-in c realmtest/hog (self) 4194304)")
        self.assertEqual(e("(receive [:hog r] r :after 5000 :timeout)"), ":ok")
        realms = self.lona.realms()
        b_pid, c_pid = realms[b].osPid, realms[c].osPid
        self.assertGreaterEqual(realms[a].usage.memoryBytesSubtree, 4 * MiB)
        os.kill(b_pid, signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline and b in self.lona.realms():
            time.sleep(0.01)
        realms = self.lona.realms()
        # b and its child c are gone, as OS processes too; a and the init realm live on.
        self.assertEqual(sorted(realms), [1, a])
        self.assertTrue(os_process_gone(b_pid))
        self.assertTrue(os_process_gone(c_pid))
        # The books balance: nothing of what c held is counted any more.
        self.assertEqual(realms[a].usage.memoryBytesSubtree, realms[a].usage.memoryBytes)
        self.assertEqual(audit(realms), "")
        # The parent was told how b ended.
        e("(spawn-in a realmtest/child-status (self) b)")
        self.assertEqual(e("(let [s (receive [:status s] s :after 5000 :timeout)] "
                           "[(:status s) (:reason s) (:signal s)])"),
                         "[:terminated :crashed 9]")
        # The init realm was not told (b was not its child): to it, b is no realm any more.
        self.assertTrue(e("(realm-info b)").startswith("ERROR :no-realm"), e("(realm-info b)"))
        # The system still works: a new child of a.
        e("(spawn-in a realmtest/make-child (self) 'b2 nil)")
        self.assertEqual(e("(receive [:child b] (realm-id? b) :after 5000 :timeout)"), "true")


class SpareRealmsTest(unittest.TestCase):
    """realm-create takes a booted spare lona-vm when one waits: the pool starts at the first
    realm-create, a spare that dies while it waits is reaped and replaced, and none outlives
    the LMM."""

    def wait_for_spares(self, lona, count):
        """The spares waiting (the realms started as spares are not), once there are `count`."""
        deadline = time.time() + 10
        while True:
            realms = [r.osPid for r in lona.realms().values()]
            spares = [p for p in spares_of(lona.process.pid) if p not in realms]
            if len(spares) == count:
                return spares
            if time.time() > deadline:
                self.fail("%d spares wait, not %d" % (len(spares), count))
            time.sleep(0.01)

    def kill_the_spare(self, lona):
        """Kills the spare that waits; returns its pid once it is dead and not yet reaped (the
        LMM does not watch its spares)."""
        [spare] = self.wait_for_spares(lona, 1)
        os.kill(spare, signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline and os_process_state(spare) != "Z":
            time.sleep(0.01)
        self.assertEqual(os_process_state(spare), "Z")
        return spare

    def test_spares_are_taken_reaped_and_replaced(self):
        lona = System()
        e = lona.eval
        try:
            # None before the first realm-create: a system without realms pays for no spare.
            time.sleep(0.2)
            self.assertEqual(spares_of(lona.process.pid), [])
            a = realm_number(e("(realm-create %{:name 'a})"))
            [spare] = self.wait_for_spares(lona, 1)
            # The next realm is that spare, and it works.
            e("(def b (realm-create %{:name 'b}))")
            b = realm_number(e("b"))
            self.assertEqual(lona.realms()[b].osPid, spare)
            e("(spawn-in b realmtest/echo (self) :hello)")
            self.assertEqual(e("(receive [:hello r _] (= r b) :after 5000 :timeout)"), "true")
            # A spare killed while it waits: the next realm-create reaps it, starts a realm
            # afresh, and the pool fills again.
            spare = self.kill_the_spare(lona)
            e("(def c (realm-create %{:name 'c}))")
            c = realm_number(e("c"))
            self.assertTrue(os_process_gone(spare))
            self.assertNotEqual(lona.realms()[c].osPid, spare)
            e("(spawn-in c realmtest/echo (self) :again)")
            self.assertEqual(e("(receive [:again r _] (= r c) :after 5000 :timeout)"), "true")
            [spare] = self.wait_for_spares(lona, 1)
            self.assertEqual(sorted(lona.realms()), [1, a, b, c])
        finally:
            self.assertEqual(lona.close(), 0)
        deadline = time.time() + 10
        while time.time() < deadline and not os_process_gone(spare):
            time.sleep(0.01)
        self.assertTrue(os_process_gone(spare))

    def test_a_spare_that_cannot_be_replaced(self):
        """The spare is dead and lona-vm can no longer be run: realm-create says why, the LMM
        and its books are unharmed, and once lona-vm can be run again the pool fills again."""
        vm = os.path.join(tempfile.mkdtemp(prefix="lona-spare-test-"), "lona-vm")
        subprocess.run(["cp", os.path.join(os.path.dirname(LONA), "lona-vm"), vm], check=True)
        lona = System("--vm", vm)
        e = lona.eval
        try:
            a = realm_number(e("(realm-create %{:name 'a})"))
            spare = self.kill_the_spare(lona)
            os.chmod(vm, 0o644)
            refused = e("(realm-create %{:name 'b})")
            self.assertTrue(refused.startswith("ERROR"), refused)
            self.assertIn("cannot run the realm executable", refused)
            self.assertTrue(os_process_gone(spare))
            self.assertEqual(sorted(lona.realms()), [1, a])
            self.assertEqual(audit(lona.realms()), "")
            os.chmod(vm, 0o755)
            e("(def c (realm-create %{:name 'c}))")
            c = realm_number(e("c"))
            e("(spawn-in c realmtest/echo (self) :back)")
            self.assertEqual(e("(receive [:back r _] (= r c) :after 5000 :timeout)"), "true")
            self.wait_for_spares(lona, 1)
        finally:
            self.assertEqual(lona.close(), 0)
            shutil.rmtree(os.path.dirname(vm))

    def test_no_spares_when_asked_for_none(self):
        lona = System("--spare-realms", "0")
        try:
            realm_number(lona.eval("(realm-create %{:name 'a})"))
            realm_number(lona.eval("(realm-create %{:name 'b})"))
            time.sleep(0.2)
            self.assertEqual(spares_of(lona.process.pid), [])
        finally:
            lona.close()


class LinksAndMonitorsTest(unittest.TestCase):
    """Links and monitors between processes of different realms, made by spawn-link-in,
    spawn-monitor-in, link and monitor from either side: exits and DOWN messages carry the
    reason across, and the end of a realm (terminated, or killed with SIGKILL) breaks every link
    and monitor into it with :noconnection. The init realm's REPL traps exits."""

    def setUp(self):
        self.lona = System()
        self.e = self.lona.eval
        self.e("(def a (realm-create %{:name 'a}))")

    def tearDown(self):
        self.lona.close()

    def next_message(self):
        return self.e("(receive m m :after 5000 :timeout)")

    def assert_nothing_else(self):
        self.assertEqual(self.e("(receive m m :after 200 :nothing)"), ":nothing")

    def test_spawn_link_in_and_spawn_monitor_in(self):
        e = self.e
        e("(def p (spawn-link-in a realmtest/await-exit))")
        self.assertEqual(e("(pid-realm p)"), e("a"))
        e("(send p [:crashed 42])")
        self.assertEqual(self.next_message(), "[:EXIT %s [:crashed 42]]" % e("p"))
        e("(def pm (spawn-monitor-in a realmtest/await-exit))")
        self.assertEqual(e("[(pid? (first pm)) (ref? (nth pm 1))]"), "[true true]")
        e("(send (first pm) :normal)")
        self.assertEqual(e("(= (receive [:DOWN r p reason] [r p reason] :after 5000 :timeout)"
                           " [(nth pm 1) (first pm) :normal])"), "true")
        # A :normal exit does not end a linked process that does not trap exits; any other
        # reason does, across realms as within one.
        e("(def local (spawn (fn* [] (spawn-link-in a realmtest/await-exit)"
          " (receive x x))))")
        e("(def lm (monitor local))")
        self.assertEqual(e("(receive [:DOWN _ _ r] r :after 200 :quiet)"), ":quiet")
        self.assertEqual(e("(:links (process-info local))").count("#pid<"), 1)
        e("(send (first (:links (process-info local))) :boom)")
        self.assertEqual(e("(receive [:DOWN r _ reason] (if (= r lm) reason :other)"
                           " :after 5000 :timeout)"), ":boom")
        self.assert_nothing_else()

    def test_link_monitor_and_exit_from_either_side(self):
        e = self.e
        # From the child realm: a process there links to the REPL and is told :linked.
        e("(def p (spawn-in a realmtest/link-to (self)))")
        self.assertEqual(e("(receive [:linked q] (= q p) :after 5000 :timeout)"), "true")
        self.assertEqual(e("(= (:links (process-info (self))) (conj #{} p))"), "true")
        # (exit pid reason) across realms: untrappable :kill ends it as :killed.
        e("(exit p :kill)")
        self.assertEqual(self.next_message(), "[:EXIT %s :killed]" % e("p"))
        # monitor and demonitor of a process there.
        e("(def q (spawn-in a realmtest/await-exit))")
        e("(def mq (monitor q))")
        e("(demonitor mq)")
        e("(send q :gone)")
        e("(def q2 (spawn-in a realmtest/await-exit))")
        e("(def mq2 (monitor q2))")
        e("(send q2 :gone-too)")
        self.assertEqual(self.next_message(), "[:DOWN %s %s :gone-too]" % (e("mq2"), e("q2")))
        # A process there monitors one here: the DOWN goes back with its own ref.
        e("(def here (spawn (fn* [] (receive x (exit x)))))")
        e("(spawn-in a realmtest/watch (self) here)")
        e("(receive [:watching _] :ok :after 5000 :timeout)")
        e("(send here :bye)")
        self.assertEqual(self.next_message(), "[:down true true :bye]")
        # Links and monitors of processes that are gone: :noproc, as within a realm.
        e("(link q)")
        self.assertEqual(self.next_message(), "[:EXIT %s :noproc]" % e("q"))
        e("(def mq3 (monitor q))")
        self.assertEqual(self.next_message(), "[:DOWN %s %s :noproc]" % (e("mq3"), e("q")))
        self.assert_nothing_else()

    def test_the_end_of_a_realm_breaks_links_and_monitors(self):
        e = self.e
        e("(def l (spawn-link-in a realmtest/await-exit))")
        e("(def mpair (spawn-monitor-in a realmtest/await-exit))")
        e("(spawn-in a realmtest/make-child (self) 'b nil)")
        e("(def b (receive [:child b] b :after 5000 :timeout))")
        # b is a's child, not the init realm's: the REPL hears of b's end through its monitor.
        e("(def deep (spawn-in b realmtest/await-exit))")
        e("(def mdeep (monitor deep))")
        b = realm_number(e("b"))
        deadline = time.time() + 10
        while time.time() < deadline and b not in self.lona.realms():
            time.sleep(0.01)
        os.kill(self.lona.realms()[b].osPid, signal.SIGKILL)
        self.assertEqual(self.next_message(), "[:DOWN %s %s :noconnection]" % (e("mdeep"),
                                                                              e("deep")))
        self.assertEqual(e("(realm-terminate a)"), ":ok")
        got = sorted(self.next_message() for _ in range(2))
        self.assertEqual(got, sorted([
            "[:EXIT %s :noconnection]" % e("l"),
            "[:DOWN %s %s :noconnection]" % (e("(nth mpair 1)"), e("(first mpair)"))]))
        # Once the realm is gone, a new link or monitor into it breaks at once.
        e("(def m2 (monitor l))")
        self.assertEqual(self.next_message(), "[:DOWN %s %s :noconnection]" % (e("m2"), e("l")))
        self.assert_nothing_else()
        self.assertEqual(audit(self.lona.realms()), "")


class FloodTest(unittest.TestCase):
    """A realm that floods the LMM is throttled, then suspended, while the control socket keeps
    answering; resumed, it floods again and is suspended again. How fast the control socket
    answers meanwhile (goal: under 10 ms) is a figure, not an assertion: a timing taken while
    other tests share the machine's two cores says more about them than about the LMM. The line
    `bench=control_under_flood` reports it; make bench runs this test on its own."""

    def test_flooding_realm_is_suspended(self):
        lona = System("--rate", "2000", "--burst", "200", "--suspend-after", "0.5")
        try:
            e = lona.eval
            e("(def sink (spawn (fn* sink [] (receive _ (sink)))))")
            e("(def f (realm-create %{:name 'flooder}))")
            e("(spawn-in f realmtest/flood sink 100000000)")
            f = realm_number(e("f"))
            latencies = []
            suspended = False
            deadline = time.time() + 20
            while time.time() < deadline and not suspended:
                start = time.perf_counter()
                realms = lona.realms()
                latencies.append(time.perf_counter() - start)
                suspended = realms[f].status == RealmStatus.Suspended
                time.sleep(0.005)
            self.assertTrue(suspended, "the flooder was never suspended")
            latencies.sort()
            sys.stderr.write("bench=control_under_flood calls=%d median_ms=%.2f worst_ms=%.2f\n" % (
                len(latencies), latencies[len(latencies) // 2] * 1000, latencies[-1] * 1000))
            # Starved, the control socket would not answer at all while the flood lasts (the
            # client's timeout is 5 s).
            self.assertLess(latencies[-1], 1.0)
            stats = lona.stats(f)
            self.assertEqual(stats.suspensions, 1)
            self.assertGreater(stats.throttled, 0)
            # Its siblings and its parent are not disturbed.
            self.assertEqual(e("(+ 40 2)"), "42")
            self.assertEqual(e("(:status (realm-info f))"), ":suspended")
            self.assertEqual(lona.control.stats(lonactl.realm_request(f)).value.suspensions, 1)
            with self.assertRaisesRegex(lonactl.RpcError, "is suspended"):
                lona.control.list_processes(lonactl.process_list_request(f))
            self.assertEqual(audit(lona.realms()), "")
            # Resumed, it floods on, and is suspended again.
            self.assertEqual(lona.control.resume(lonactl.realm_request(f)).value.status,
                             RealmStatus.Running)
            deadline = time.time() + 20
            while time.time() < deadline and lona.stats(f).suspensions < 2:
                time.sleep(0.01)
            self.assertEqual(lona.stats(f).suspensions, 2)
        finally:
            lona.close()


class ScriptedRealmTest(unittest.TestCase):
    """Realms played by tests/lmm/scripted_realm.py, which says what the LMM must do with
    messages lona-vm never sends: garbage, and signals to processes of other realms."""

    def system(self, roles):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripted_realm.py")
        return System("--vm", script, env={
            "LONA_TEST_REAL_VM": os.path.join(os.path.dirname(LONA), "lona-vm"),
            "LONA_TEST_PROTOCOL_PYTHON": lonactl.PROTOCOL_PYTHON,
            "LONA_TEST_ROLES": roles, "LONA_TEST_SIBLING": "2"})

    def wait_for_grants(self, lona, realm, grants):
        deadline = time.time() + 20
        while time.time() < deadline and lona.stats(realm).grants < grants:
            time.sleep(0.01)
        self.assertEqual(lona.stats(realm).grants, grants)

    def test_garbage_from_a_realm(self):
        """Each malformed message is answered and counted; the realm is still served, and
        nothing else is disturbed."""
        lona = self.system("2:garbage")
        try:
            v = realm_number(lona.eval("(realm-create %{:name 'garbage})"))
            self.assertEqual(v, 2)
            self.wait_for_grants(lona, v, 1)
            self.assertGreaterEqual(lona.stats(v).rejected, 100)
            self.assertEqual(lona.eval("(+ 40 2)"), "42")
            self.assertEqual(audit(lona.realms()), "")
        finally:
            lona.close()

    def test_links_across_realms(self):
        """A link to a realm that is not there breaks at once (:noconnection); a realm linked to
        another is told when that one ends."""
        lona = self.system("2:idle,3:signals")
        try:
            e = lona.eval
            e("(def sibling (realm-create %{:name 'sibling}))")
            self.assertEqual(e("sibling"), "#realm-id<2>")
            linker = realm_number(e("(realm-create %{:name 'linker})"))
            self.assertEqual(linker, 3)
            self.wait_for_grants(lona, linker, 3)
            self.assertEqual(e("(realm-terminate sibling)"), ":ok")
            self.wait_for_grants(lona, linker, 4)
        finally:
            lona.close()

    def test_calls_relayed_to_a_realm_that_refuses_or_vanishes(self):
        """A call the LMM relays gets the realm's error, or Unavailable when the realm ends
        before it answers; a suspended realm is not asked."""
        lona = self.system("2:refuse,3:vanish")
        try:
            self.assertEqual(lona.eval("(realm-create %{:name 'refuser})"), "#realm-id<2>")
            self.assertEqual(lona.eval("(realm-create %{:name 'vanisher})"), "#realm-id<3>")
            for realm, expected in ((2, "refused by the script"), (3, "realm 3 has ended")):
                errors = io.StringIO()
                with contextlib.redirect_stderr(errors):
                    status = lonactl.main(["--control", lona.socket, "processes", str(realm)],
                                          io.StringIO())
                self.assertEqual(status, 1)
                self.assertIn(expected, errors.getvalue())
            self.assertEqual(sorted(lona.realms()), [1, 2])
        finally:
            lona.close()


if __name__ == "__main__":
    unittest.main()
