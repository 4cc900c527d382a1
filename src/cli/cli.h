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

/* Reads a whole file into memory owned by `owner` (MEM_HOST). */
bool cli_read_file(mem_owner *owner, const char *path, uint8_t **out,
                   size_t *len, err_t *err);
/* Reads a .wasm or .wat file (text is recognised by its content, not its
 * name) and returns binary bytes owned by `owner`. */
bool cli_load_binary(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err);

/* The `spectest` host module of the spec scripts, created in store s.
 * Looks up one of its exports by name. */
typedef struct spectest spectest;
spectest *spectest_new(rt_store *s);
void spectest_free(rt_store *s, spectest *t);
bool spectest_lookup(const spectest *t, const char *name, size_t len,
                     rt_extern *out);

#endif
