# Thin wrapper around meson, so the README's commands stay short.
#   make demo      build nsrun and run it on the built-in default
#   make check     build (plain and ASan+UBSan) and run every test
#   make fuzz      run each libFuzzer target for FUZZ_SECONDS
#   make bench     start-up benchmark against the peers (bench/README.md)
#   make install   PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60

# Debian packages each job needs; installed when missing.
BUILD_DEPS = meson ninja-build gcc libc6-dev pkg-config libseccomp-dev libjansson-dev
TEST_DEPS = $(BUILD_DEPS) bats uidmap util-linux iproute2 procps busybox-static \
	python3 jq podman containerd libcap2-bin
FUZZ_DEPS = $(BUILD_DEPS) clang libclang-rt-14-dev

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

check: deps-test build build-asan/build.ninja
	ninja -C build-asan
	tests/run.sh build build-asan

test: check

build-fuzz/build.ninja:
	CC=clang meson setup build-fuzz --buildtype=debugoptimized -Dfuzzing=true \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz: deps-fuzz build-fuzz/build.ninja
	ninja -C build-fuzz
	for t in build-fuzz/tests/fuzz/fuzz_*; do \
		[ -f "$$t" ] || continue; \
		name=$${t##*/fuzz_}; mkdir -p build-fuzz/corpus/$$name; \
		$$t -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$name tests/fuzz/corpus/$$name || exit 1; \
	done

bench: build
	bash bench/run.sh

install: build
	DESTDIR=$(DESTDIR) meson install -C build

clean:
	rm -rf build build-asan build-fuzz
