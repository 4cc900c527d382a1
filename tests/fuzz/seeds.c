/* Writes the fuzz targets' seed corpora from spec scripts:
 *
 *   seeds OUTDIR SCRIPT.wast...
 *
 * OUTDIR/decode and OUTDIR/run get every module binary of the scripts
 * (valid or not), OUTDIR/wat the text of every `(module ...)` form,
 * OUTDIR/deserialize each valid module serialized. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "text/wast.h"
#include "../unit/test_file.h"

static unsigned nwritten;

static void put(const char *dir, const char *kind, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%u", dir, kind, nwritten++);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* The end of the s-expression opening at s[i] (one past its ')'), skipping
 * strings and comments; len when unbalanced. */
static size_t sexpr_end(const char *s, size_t i, size_t len)
{
    int depth = 0;
    while (i < len) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
        } else if (c == ';' && i + 1 < len && s[i + 1] == ';') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '(' && i + 1 < len && s[i + 1] == ';') {
            int d = 1;
            for (i += 2; i + 1 < len && d; i++) {
                if (s[i] == '(' && s[i + 1] == ';')
                    d++, i++;
                else if (s[i] == ';' && s[i + 1] == ')')
                    d--, i++;
            }
            continue;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
        i++;
    }
    return len;
}

/* Every `(module` in the script's text, nested in assertions or not. */
static void wat_seeds(const char *dir, const char *s, size_t len)
{
    for (size_t i = 0; i + 7 < len; i++) {
        if (memcmp(s + i, "(module", 7) != 0 ||
            (s[i + 7] != ' ' && s[i + 7] != '\n' && s[i + 7] != ')'))
            continue;
        size_t end = sexpr_end(s, i, len);
        put(dir, "wat", s + i, end - i);
        i = end - 1;
    }
}

static void binary_seeds(const char *dir, rt_engine *e, const wast_module *m)
{
    put(dir, "decode", m->bytes, m->len);
    put(dir, "run", m->bytes, m->len);
    err_t err;
    err_clear(&err);
    rt_module *rm = rt_module_new(e, m->bytes, m->len, &err);
    if (!rm)
        return;
    size_t n = rt_module_serialized_size(rm);
    uint8_t *out = n ? malloc(n) : NULL;
    if (out && rt_module_serialize(rm, out, n, &err))
        put(dir, "deserialize", out, n);
    free(out);
    rt_module_release(rm);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: seeds OUTDIR SCRIPT.wast...\n");
        return 2;
    }
    rt_engine *e = fuzz_engine();
    mem_owner owner;
    mem_owner_init(&owner, MEM_OWNER_MODULE);
    for (int a = 2; a < argc; a++) {
        size_t len;
        char *src = (char *)test_read_file(argv[a], &len);
        if (!src)
            continue;
        wat_seeds(argv[1], src, len);
        wast_script sc;
        err_t err;
        err_clear(&err);
        if (wast_parse(&owner, src, len, &sc, &err)) {
            for (uint32_t i = 0; i < sc.ncommands; i++)
                if (sc.commands[i].has_module && sc.commands[i].module.bytes)
                    binary_seeds(argv[1], e, &sc.commands[i].module);
            wast_script_free(&owner, &sc);
        }
        free(src);
    }
    mem_owner_destroy(&owner);
    rt_engine_free(e);
    printf("%u seeds\n", nwritten);
    return 0;
}
