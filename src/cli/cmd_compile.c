/* `ebb compile FILE -o OUT`: validates and translates a module once and
 * writes the result as a serialized module, which `ebb run` loads without
 * validating or translating again (runtime/serialize.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int write_file(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t done = fwrite(bytes, 1, len, f);
    if (fclose(f) != 0 || done != len) {
        fprintf(stderr, "ebb: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int compile_to(rt_engine *e, const char *in, const char *out)
{
    err_t err;
    err_clear(&err);
    uint8_t *bytes = NULL, *ser = NULL;
    size_t len = 0, n = 0;
    int status = 1;
    rt_module *m = NULL;
    if (!cli_load_binary(&e->mem, in, &bytes, &len, &err)) {
        fprintf(stderr, "ebb: %s\n", err.msg);
        goto out;
    }
    if (!(m = rt_module_new(e, bytes, len, &err))) {
        fprintf(stderr, "ebb: %s: %s\n", in, err.msg);
        goto out;
    }
    n = rt_module_serialized_size(m);
    ser = n ? mem_alloc(&e->mem, MEM_HOST, n) : NULL;
    if (!ser || !rt_module_serialize(m, ser, n, &err)) {
        fprintf(stderr, "ebb: %s: %s\n", in,
                err.msg[0] ? err.msg : "cannot serialize the module");
        goto out;
    }
    status = write_file(out, ser, n);
out:
    mem_free(&e->mem, MEM_HOST, ser);
    rt_module_release(m);
    mem_free(&e->mem, MEM_HOST, bytes);
    return status;
}

int cmd_compile(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "-o") != 0) {
        fputs("usage: ebb compile FILE -o OUT\n", stderr);
        return EXIT_USAGE;
    }
    rt_engine *e = rt_engine_new(NULL);
    if (!e) {
        fputs("ebb: out of memory\n", stderr);
        return 1;
    }
    int status = compile_to(e, argv[0], argv[2]);
    rt_engine_free(e);
    return status;
}
