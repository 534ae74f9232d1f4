# Lona: two commands on a fresh Debian machine.
#   make run    install what is missing, build, start the REPL
#   make test   install what is missing, build, run every test (default build and ASan+UBSan;
#               the runtime and scheduler tests also under ThreadSanitizer)
# Also: make bench, make check (clang-format + clang-tidy), make setup, make clean.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30

.PHONY: all setup build run test test-default test-asan test-tsan test-tsan-runtime bench check \
        format clean

all: build

setup:
	@./scripts/setup.sh

build: setup
	cmake --preset default >/dev/null
	cmake --build --preset default -j $(JOBS)

run: build
	./build/default/bin/lona repl

test: setup test-default test-asan test-tsan-runtime

test-default:
	cmake --preset default >/dev/null
	cmake --build --preset default -j $(JOBS)
	ctest --preset default -j $(JOBS)

test-asan:
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	LONA_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --preset asan -j $(JOBS)

# The tests of processes, mailboxes and the scheduler under ThreadSanitizer (part of make test).
TSAN_TESTS := memory_test process_test sched_deque_test native_test supervisor_test
test-tsan-runtime:
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS) --target $(TSAN_TESTS)
	ctest --preset tsan -j $(JOBS) -R '^(BlockPool|Mailbox|Envelope|ProcessTable|ProcessTest|WorkStealingDeque|NativeActor|NativeCoroutine|NativeInterop|SupervisorTest|ServerTest|SendSyncTest|ProcessBoundVarTest)'

test-tsan: setup
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

bench:
	@./scripts/setup.sh bench
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	./scripts/bench.sh build/release

check: setup
	cmake --preset clang >/dev/null
	cmake --build --preset clang -j $(JOBS) --target lona_generated
	./scripts/check.sh build/clang

format:
	./scripts/check.sh --fix

clean:
	rm -rf build
