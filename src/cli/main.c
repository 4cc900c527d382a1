/* ebb: run, test and inspect WebAssembly modules. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: ebb <command> [options] ...\n"
          "\n"
          "commands:\n"
          "  run [--invoke NAME] FILE [ARGS...]   run a module (.wasm or .wat);\n"
          "                                      with --invoke, call NAME with ARGS\n"
          "                                      and print its results, one per line\n"
          "  validate FILE                        check that a module is valid\n"
          "  wast FILE...                         run WebAssembly spec test scripts\n"
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
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "wast"))
        return cmd_wast(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "ebb: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
