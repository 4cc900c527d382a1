/* The ebb command: shared helpers of its subcommands. */
#ifndef EBB_CLI_H
#define EBB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/mem.h"
#include "runtime/runtime.h"
#include "util/err.h"

/* Exit codes: 0 success, 1 failure of the program or module, 2 usage. */
enum { EXIT_USAGE = 2 };

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_wast(int argc, char **argv);
int cmd_memstat(int argc, char **argv);
int cmd_bench(int argc, char **argv);
/* ebb validate --time N FILE (validate_time.c): translation throughput. */
int cli_validate_time(const char *path, long runs);

/* The imports of sightglass programs beyond WASI, bench.start and
 * bench.end (a wasi_link resolver): env is the bench_marks they record
 * into (cmd_bench.c), or NULL for markers that do nothing (run, memstat). */
typedef struct bench_marks bench_marks;
bool cli_bench_import(void *env, rt_store *s, const import_desc *im,
                      rt_extern *out);

/* Reads a whole file into memory owned by `owner` (MEM_HOST). */
bool cli_read_file(mem_owner *owner, const char *path, uint8_t **out,
                   size_t *len, err_t *err);
/* Reads a .wasm or .wat file (text is recognised by its content, not its
 * name) and returns binary bytes owned by `owner`. */
bool cli_load_binary(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err);
/* The same for a module that is only run or validated: the payloads of
 * the custom sections at the end of a binary module, except `name`, are
 * left out (they never matter to either; decode_trim_custom). */
bool cli_load_module(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err);

/* ebb run --fuel / --timeout (run_limits.c). A count of fuel, and a
 * duration such as 10s, 250ms, 1.5m or 2 (seconds), in nanoseconds. */
bool cli_parse_fuel(const char *s, uint64_t *out);
bool cli_parse_duration(const char *s, uint64_t *ns);
/* A thread that increments the engine's epoch once `ns` have passed
 * (stopped early, and joined, by cli_timer_stop). */
typedef struct cli_timer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop, started;
    rt_engine *engine;
    uint64_t ns;
} cli_timer;
bool cli_timer_start(cli_timer *t, rt_engine *e, uint64_t ns);
void cli_timer_stop(cli_timer *t);

/* Components run as WASI 0.2 commands (run_component.c). A component's
 * instance import "bench" {start, end} calls these hooks (as host
 * functions, with no arguments). */
typedef struct cli_bench_hooks {
    rt_host_fn start, end;
    void *env;
} cli_bench_hooks;
struct wasi_ctx;
/* ebb run: compiles component `bytes`, instantiates it in store s with
 * WASI 0.2 on w, calls its wasi:cli/run export. Returns the exit status
 * (0: run returned ok; 1: an error, said on stderr), or on_trap's answer
 * for a trap (on_trap reports and frees it). */
int cli_run_component(rt_store *s, const uint8_t *bytes, size_t len,
                      struct wasi_ctx *w, const char *path,
                      int (*on_trap)(rt_trap *t));
/* ebb bench: the same in a store of its own, timing compile and
 * instantiate; false with err when the run did not succeed. */
bool cli_bench_component(rt_engine *e, const uint8_t *bytes, size_t len,
                         struct wasi_ctx *w, const cli_bench_hooks *bench,
                         double *compile_ms, double *instantiate_ms,
                         err_t *err);

/* The `spectest` host module of the spec scripts, created in store s.
 * Looks up one of its exports by name. */
typedef struct spectest spectest;
spectest *spectest_new(rt_store *s);
void spectest_free(rt_store *s, spectest *t);
bool spectest_lookup(const spectest *t, const char *name, size_t len,
                     rt_extern *out);

#endif
