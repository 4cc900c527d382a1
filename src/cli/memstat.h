/* `ebb memstat`: what the process holds (the kernel's view) beside what ebb
 * says it holds (its own counters), at each step of an engine's life and
 * over repeated create/run/destroy cycles. Shared by the experiment
 * (cmd_memstat.c) and its reports (memstat_report.c, memstat_svg.c). */
#ifndef EBB_CLI_MEMSTAT_H
#define EBB_CLI_MEMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mem/mem.h"
#include "runtime/runtime.h"

/* The steps of one pass, in order. */
#define MEMSTAT_STEPS(X)                       \
    X(START, "start", "before the engine")     \
    X(ENGINE, "engine", "engine created")      \
    X(MODULE, "module", "module compiled")     \
    X(INSTANCE, "instance", "store + instance") \
    X(RUN, "run", "after the run")             \
    X(DROP, "drop", "everything dropped")

typedef enum memstat_step {
#define X(id, name, what) MS_##id,
    MEMSTAT_STEPS(X)
#undef X
    MS_NSTEPS
} memstat_step;

typedef struct memstat_sample {
    bool taken;                   /* false: the step was not reached */
    long vmrss_kib;               /* -1 when /proc is not readable */
    long rssanon_kib;
    long rssfile_kib;
    long threads;                 /* threads of the process */
    size_t compile_threads;       /* ebb's compile workers alive */
    size_t pool_bytes;            /* bytes the compile pool holds */
    size_t live[MEM_NCAT];        /* ebb's live bytes, all owners */
    size_t live_total;
    size_t objects[RT_NOBJ];      /* live objects (0 without an engine) */
    double ms;                    /* how long the step took */
} memstat_sample;

typedef struct memstat_result {
    const char *path;
    size_t module_bytes;
    bool serial;
    const char *run_name;         /* what was run, or NULL */
    char run_note[160];           /* how the run ended, when not plainly */
    char error[ERR_MSG_MAX + 64]; /* why the first pass stopped, or "" */
    memstat_sample steps[MS_NSTEPS];
    unsigned cycles;              /* cycles done */
    memstat_sample *cycle_run;    /* [cycles]: after each cycle's run */
    memstat_sample *cycle_drop;   /* [cycles]: after each cycle's drop */
    mem_stats peak[MEM_NOWNER];   /* process-wide peaks, per owner kind */
} memstat_result;

const char *memstat_step_name(memstat_step s);
const char *memstat_step_what(memstat_step s);
void memstat_print_text(FILE *f, const memstat_result *r);
void memstat_print_json(FILE *f, const memstat_result *r);
/* false (errno set) when the file cannot be written. */
bool memstat_write_svg(const char *path, const memstat_result *r);

#endif
