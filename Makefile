# ebb -- non-recursive build. All output goes to build/ (build/san/ for the
# ASan+UBSan variant, `make SAN=1`).

comma   := ,
CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif
CSTD    := -std=c11
WARN    := -Wall -Wextra -Werror
OPT     ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -D_GNU_SOURCE -pthread -Isrc -Iinclude -MMD -MP

ifeq ($(SAN),1)
BUILD   ?= build/san
OPT     := -O1 -g -fno-omit-frame-pointer
CFLAGS_ALL += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
# The libFuzzer variant (tests/fuzz/, `make fuzz`): clang only, the
# library instrumented for coverage, ASan and UBSan.
BUILD   ?= build/fuzz
OPT     := -O1 -g -fno-omit-frame-pointer
CFLAGS_ALL += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
else ifeq ($(SAN),thread)
# ThreadSanitizer variant (`make SAN=thread`), for the API threads test.
BUILD   ?= build/tsan
OPT     := -O1 -g -fno-omit-frame-pointer
CFLAGS_ALL += -fsanitize=thread
LDFLAGS_ALL += -fsanitize=thread
else
BUILD   ?= build
endif
LDFLAGS_ALL += -pthread -lm

LIB_SRCS := $(wildcard src/*.c src/mem/*.c src/os/*.c src/util/*.c src/text/*.c \
              src/decode/*.c src/compile/*.c src/interp/*.c src/runtime/*.c \
              src/api/*.c src/wasi/*.c src/component/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)

# The interpreter's dispatch loop is one big function of computed gotos:
# keep GCC from merging the dispatch jumps back into one.
INTERP_FLAGS := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),,-fno-gcse --param max-goto-duplication-insns=100)
# Sanitized with clang, its alignment and pointer-overflow checks multiply
# the loop's compile time tenfold (minutes) and find nothing there: every
# access to linear memory goes through memcpy, at an address bounded by
# the memory's reservation.
ifneq ($(SAN),)
INTERP_FLAGS += $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),-fno-sanitize=pointer-overflow$(comma)alignment)
endif

all: $(BUILD)/ebb $(BUILD)/libebb.a

$(BUILD)/libebb.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/ebb: $(CLI_OBJS) $(BUILD)/libebb.a
	$(CC) $(CFLAGS_ALL) -o $@ $(CLI_OBJS) $(BUILD)/libebb.a $(LDFLAGS_ALL)

$(BUILD)/obj/src/interp/%.o: src/interp/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(INTERP_FLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# Unit tests: each tests/unit/*_test.c is a program linked with libebb.
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libebb.a $(LDFLAGS_ALL)

tests: $(UNIT_BINS)

# Memory tests: each tests/memory/*_test.c is a program linked with libebb
# that runs its cases in fresh processes of its own (tests/run.sh: memory).
MEMTEST_SRCS := $(wildcard tests/memory/*_test.c)
MEMTEST_BINS := $(MEMTEST_SRCS:tests/memory/%.c=$(BUILD)/tests/memory/%)

$(BUILD)/tests/memory/%: tests/memory/%.c $(wildcard tests/memory/*.h) $(BUILD)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libebb.a $(LDFLAGS_ALL)

tests: $(MEMTEST_BINS)

# API tests: each tests/api/*_test.c is a program of the wasm.h API linked
# with libebb (tests/run.sh: api_tests).
API_TEST_SRCS := $(wildcard tests/api/*_test.c)
API_TEST_BINS := $(API_TEST_SRCS:tests/api/%.c=$(BUILD)/tests/api/%)

$(BUILD)/tests/api/%: tests/api/%.c $(wildcard tests/api/*.h) $(BUILD)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libebb.a $(LDFLAGS_ALL)

api-tests: $(API_TEST_BINS)

tests: $(API_TEST_BINS)

# WASI test guests: C programs in tests/wasi/ compiled for wasm32-wasi
# (clang + wasi-libc, installed by tests/deps.sh); run by tests/wasi/run.sh.
WASI_CC     ?= clang
WASI_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror
WASI_SRCS   := $(wildcard tests/wasi/*.c)
WASI_BINS   := $(WASI_SRCS:tests/wasi/%.c=$(BUILD)/wasi/%.wasm)

$(BUILD)/wasi/%.wasm: tests/wasi/%.c $(wildcard tests/wasi/*.h)
	@mkdir -p $(@D)
	$(WASI_CC) $(WASI_CFLAGS) -o $@ $<

wasi-guests: $(WASI_BINS)

# The SIMD guest once more with -msimd128 (wasm_simd128.h intrinsics): it
# must print what its scalar build prints (tests/run.sh compares them).
$(BUILD)/wasi/simd128/%.wasm: tests/wasi/%.c
	@mkdir -p $(@D)
	$(WASI_CC) $(WASI_CFLAGS) -msimd128 -o $@ $<

simd-guests: $(BUILD)/wasi/simd_kernels.wasm \
             $(BUILD)/wasi/simd128/simd_kernels.wasm

.PHONY: wasi-guests simd-guests

# Fuzz targets (tests/fuzz/*.c, libFuzzer) and the tool that writes their
# seed corpora from the spec scripts; built with SAN=fuzz CC=clang by
# tests/fuzz/fuzz.sh. `make fuzz T=decode S=60` fuzzes one target S seconds.
FUZZ_TARGETS := decode wat run deserialize

$(BUILD)/fuzz/seeds: tests/fuzz/seeds.c tests/fuzz/fuzz.h $(BUILD)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libebb.a $(LDFLAGS_ALL)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(BUILD)/libebb.a $(LDFLAGS_ALL)

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/seeds

fuzz:
	@tests/fuzz/fuzz.sh run $(T) $(S)

.PHONY: fuzz fuzz-targets

# Everything: installs what the machine lacks, then runs every suite and
# ends with one line "N passed, N failed" over all of them.
test:
	@tests/deps.sh
	@tests/run.sh

# Benchmarks (bench/bench.sh; docs/PERFORMANCE.md): kernels and sightglass
# programs in ebb, native, V8 and Wasmtime. Not part of `make test`.
# RUNS=N runs per engine (default 5); B="NAME..." picks benchmarks.
bench:
	@tests/deps.sh
	@command -v wat2wasm >/dev/null 2>&1 || { \
	    SUDO=; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wabt; }
	@$(MAKE) --no-print-directory $(BUILD)/ebb
	EBB=$(BUILD)/ebb BUILD=$(BUILD) bench/bench.sh $(B)

# libebb.so, ebb.pc, make install
include mk/lib.mk

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

.PHONY: all clean test tests api-tests bench
