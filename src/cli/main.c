/* ebb: run, test and inspect WebAssembly modules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* With EBB_CHECK_LIVE set (tests do), a command that leaves bytes counted
 * by the memory door after it has freed everything fails loudly: exit 99,
 * whatever the guest's own status. */
static int check_live(int status)
{
    const char *v = getenv("EBB_CHECK_LIVE");
    if (!v || !*v || !strcmp(v, "0"))
        return status;
    size_t live = mem_global_live();
    if (live == 0)
        return status;
    fprintf(stderr, "ebb: %zu bytes still live after the command\n", live);
    return 99;
}

static void usage(FILE *f)
{
    fputs("usage: ebb <command> [options] ...\n"
          "\n"
          "commands:\n"
          "  run [--dir HOST[::GUEST]]... [--env NAME[=VAL]]... [--invoke NAME]\n"
          "      [--] FILE [ARGS...]              run a module (.wasm or .wat) as a\n"
          "                                      WASI command; exits with its status;\n"
          "                                      with --invoke, call NAME with ARGS\n"
          "                                      and print its results, one per line\n"
          "  validate [--time RUNS] FILE          check that a module is valid; with\n"
          "                                      --time, time its translation RUNS\n"
          "                                      times on one thread (MB/s of code)\n"
          "  compile FILE -o OUT                  validate and translate once; OUT\n"
          "                                      is a serialized module for run\n"
          "  wast [--bounds-checks] [--serial] FILE...\n"
          "                                      run WebAssembly spec test scripts\n"
          "  memstat [--invoke NAME] [--cycles N] [--serial] [--json] [--svg OUT] FILE\n"
          "                                      process memory beside ebb's counters\n"
          "                                      over engine/module/instance/run/drop\n"
          "  bench [--runs N] PROGRAM.wasm...     time sightglass-style benchmark\n"
          "                                      programs and check their output\n"
          "  help                                 show this text\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return check_live(cmd_run(argc - 2, argv + 2));
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "compile"))
        return check_live(cmd_compile(argc - 2, argv + 2));
    if (!strcmp(cmd, "wast"))
        return cmd_wast(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return check_live(cmd_bench(argc - 2, argv + 2));
    if (!strcmp(cmd, "memstat"))
        return cmd_memstat(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "ebb: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
