# Thin wrapper around meson, so the README's commands stay short.
#   make demo      build nsrun and run it on the built-in default
#   make check     build (plain, ASan+UBSan with fault points, libFuzzer) and
#                  run every test: unit, fuzz corpora, bats, static analysis,
#                  a short fuzz run, the load test
#   make fuzz      run each libFuzzer target for FUZZ_SECONDS
#   make bench     start-up benchmark against the peers (bench/README.md)
#   make install   PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60

# Debian packages each job needs; installed when missing.
BUILD_DEPS = meson ninja-build gcc libc6-dev pkg-config libseccomp-dev libjansson-dev \
	libsystemd-dev lld
FUZZ_DEPS = $(BUILD_DEPS) clang libclang-rt-14-dev
TEST_DEPS = $(FUZZ_DEPS) bats uidmap util-linux iproute2 procps busybox-static \
	python3 jq podman containerd libcap2-bin crun cppcheck clang-tidy valgrind file \
	docker.io buildah debootstrap
# make check's long suites: seconds per fuzz target, and the load test's
# divisor (1: 10,000 sandboxes and containers in sequence, 2,000 in
# parallel; make check runs half of that, to stay within its time with the
# engines' tests, and LOAD_SCALE=1 runs all of it).
CHECK_FUZZ_SECONDS ?= 10
LOAD_SCALE ?= 2

.PHONY: all build demo check test fuzz bench install clean deps-build deps-test deps-fuzz

all: build

deps-build:
	@scripts/install-deps $(BUILD_DEPS)
deps-test:
	@scripts/install-deps $(TEST_DEPS)
deps-fuzz:
	@scripts/install-deps $(FUZZ_DEPS)

build/build.ninja:
	meson setup build --prefix=$(PREFIX) --buildtype=release -Dwerror=true

build: deps-build build/build.ninja
	ninja -C build

build-asan/build.ninja:
	meson setup build-asan --buildtype=debugoptimized -Dwerror=true -Dfault_injection=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all

demo: build
	scripts/demo.sh build/nsrun

check: deps-test build build-asan/build.ninja build-fuzz/build.ninja
	ninja -C build-asan
	ninja -C build-fuzz
	STATIC_BUILD=build FUZZ_BUILD=build-fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) \
		LOAD_NSRUN=build/nsrun LOAD_SCALE=$(LOAD_SCALE) VALIDATION_NSRUN=build/nsrun \
		tests/run.sh build build-asan

test: check

build-fuzz/build.ninja:
	CC=clang meson setup build-fuzz --buildtype=debugoptimized -Dfuzzing=true \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz: deps-fuzz build-fuzz/build.ninja
	ninja -C build-fuzz
	tests/fuzz/short-run.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	bash bench/run.sh

install: build
	DESTDIR=$(DESTDIR) meson install -C build

clean:
	rm -rf build build-asan build-fuzz
