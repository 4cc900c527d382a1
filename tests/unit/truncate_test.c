/* Hostile input: every module of the spec scripts, cut at every byte
 * offset, must be rejected with a message -- never a crash, never a leak.
 * A prefix that ends exactly at a section boundary is a shorter module and
 * may be valid; any other prefix must fail.
 *
 * usage: truncate_test SUITE_DIR   (the wasm-2.0 scripts) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/reader.h"
#include "runtime/runtime.h"
#include "text/wast.h"

static unsigned passed, failed;

/* Marks the offsets where a section ends (and the end of the header). */
static void section_ends(const uint8_t *b, size_t len, uint8_t *is_end)
{
    err_t err;
    reader r;
    if (len < 8)
        return;
    is_end[8] = 1;
    reader_init(&r, b + 8, len - 8, b, &err);
    while (!reader_eof(&r)) {
        uint8_t id;
        uint32_t size;
        if (!reader_u8(&r, &id) || !reader_u32(&r, &size) ||
            reader_left(&r) < size)
            return;
        r.p += size;
        is_end[reader_offset(&r)] = 1;
    }
}

static void check_module(rt_engine *e, const char *file, uint32_t line,
                         const uint8_t *bytes, size_t len)
{
    uint8_t *is_end = calloc(len + 1, 1);
    if (!is_end)
        return;
    section_ends(bytes, len, is_end);
    for (size_t cut = 0; cut < len; cut++) {
        err_t err;
        err_clear(&err);
        rt_module *m = rt_module_new(e, bytes, cut, &err);
        if (m) {
            rt_module_release(m);
            if (!is_end[cut]) {
                printf("%s:%u: prefix of %zu/%zu bytes accepted\n", file,
                       line, cut, len);
                failed++;
                free(is_end);
                return;
            }
        } else if (!err.msg[0]) {
            printf("%s:%u: prefix of %zu bytes rejected without a message\n",
                   file, line, cut);
            failed++;
            free(is_end);
            return;
        }
    }
    free(is_end);
    passed++;
}

static void check_script(rt_engine *e, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%s: cannot open\n", path);
        failed++;
        return;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)n + 1);
    if (!src || fread(src, 1, (size_t)n, f) != (size_t)n) {
        printf("%s: cannot read\n", path);
        failed++;
        free(src);
        fclose(f);
        return;
    }
    fclose(f);
    mem_owner owner;
    mem_owner_init(&owner, MEM_OWNER_ENGINE);
    wast_script script;
    err_t err;
    err_clear(&err);
    if (!wast_parse(&owner, src, (size_t)n, &script, &err)) {
        printf("%s: %s\n", path, err.msg);
        failed++;
    } else {
        for (uint32_t i = 0; i < script.ncommands; i++) {
            const wast_command *c = &script.commands[i];
            if (c->has_module && c->module.bytes)
                check_module(e, path, c->line, c->module.bytes, c->module.len);
        }
        wast_script_free(&owner, &script);
    }
    free(src);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/testsuite/wasm-2.0";
    DIR *d = opendir(dir);
    if (!d) {
        printf("cannot open %s\n1 passed, 1 failed\n", dir);
        return 1;
    }
    char *names[512];
    size_t nnames = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && nnames < 512) {
        size_t l = strlen(ent->d_name);
        if (l > 5 && !strcmp(ent->d_name + l - 5, ".wast"))
            names[nnames++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof *names, by_name);
    rt_engine *e = rt_engine_new(NULL);
    for (size_t i = 0; i < nnames; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        check_script(e, path);
        free(names[i]);
    }
    rt_engine_free(e);
    if (mem_global_live() != 0) {
        printf("%zu bytes still allocated\n", mem_global_live());
        failed++;
    }
    printf("truncated modules: %u passed, %u failed\n", passed, failed);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
