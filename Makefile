# ebb -- non-recursive build. All output goes to build/ (build/san/ for the
# ASan+UBSan variant, `make SAN=1`).

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
else
BUILD   ?= build
endif
LDFLAGS_ALL += -pthread -lm

LIB_SRCS := $(wildcard src/*.c src/mem/*.c src/util/*.c src/text/*.c \
              src/decode/*.c src/compile/*.c src/interp/*.c src/runtime/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)

# The interpreter's dispatch loop is one big function of computed gotos:
# keep GCC from merging the dispatch jumps back into one.
INTERP_FLAGS := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),,-fno-gcse --param max-goto-duplication-insns=100)

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

# Everything: installs what the machine lacks, then runs every suite and
# ends with one line "N passed, N failed" over all of them.
test:
	@tests/deps.sh
	@tests/run.sh

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

.PHONY: all clean test tests
