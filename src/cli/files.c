/* Reading modules from disk, in either format. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decode/module.h"
#include "os/os.h"
#include "text/text.h"

/* A regular file is mapped and what is kept of it copied into one block
 * of the exact size: no growing buffer, no copy through read(), and with
 * `trim` the debug sections at the end of a binary module are never
 * touched (decode_trim_custom). The mapping lives only inside this
 * function, so every byte that outlives it is a counted MEM_HOST block.
 * Returns 1 (done), 0 (failed, err set) or -1 (not mappable: read it). */
static int read_mapped(mem_owner *owner, const char *path, bool trim,
                       uint8_t **out, size_t *len, err_t *err)
{
    size_t n = 0;
    const uint8_t *map = os_map_file(path, &n);
    if (!map)
        return -1;
    size_t keep = trim ? decode_trim_custom(map, n, NULL) : 0;
    size_t size = keep ? keep : n;
    uint8_t *buf = mem_alloc(owner, MEM_HOST, size);
    if (buf && keep)
        decode_trim_custom(map, n, buf);
    else if (buf)
        memcpy(buf, map, n);
    os_release((void *)map, n);
    if (!buf) {
        err_set(err, "%s: out of memory", path);
        return 0;
    }
    *out = buf;
    *len = size;
    return 1;
}

/* Pipes, terminals and empty files: read until the end. */
static bool read_stream(mem_owner *owner, const char *path, uint8_t **out,
                        size_t *len, err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    uint8_t *buf = NULL;
    for (;;) {
        if (!mem_grow_array(owner, MEM_HOST, (void **)&buf, &cap, n + 65536, 1)) {
            mem_free(owner, MEM_HOST, buf);
            fclose(f);
            return err_set(err, "%s: out of memory", path);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        mem_free(owner, MEM_HOST, buf);
        return err_set(err, "cannot read %s", path);
    }
    *out = buf;
    *len = n;
    return true;
}

bool cli_read_file(mem_owner *owner, const char *path, uint8_t **out,
                   size_t *len, err_t *err)
{
    int r = read_mapped(owner, path, false, out, len, err);
    return r < 0 ? read_stream(owner, path, out, len, err) : r;
}

/* Text never contains a NUL byte and a binary module starts with one
 * ("\0asm"), so the first byte decides; the decoder then judges the
 * header of anything that starts like a binary. */
static bool load(mem_owner *owner, const char *path, bool trim,
                 uint8_t **out, size_t *len, err_t *err)
{
    uint8_t *buf;
    size_t n;
    int r = read_mapped(owner, path, trim, &buf, &n, err);
    if (r == 0 || (r < 0 && !read_stream(owner, path, &buf, &n, err)))
        return false;
    if (n == 0 || buf[0] == 0 || rt_module_is_serialized(buf, n)) {
        *out = buf;
        *len = n;
        return true;
    }
    err_t terr;
    err_clear(&terr);
    bool ok = text_wat_to_binary(owner, (const char *)buf, n, out, len, &terr);
    mem_free(owner, MEM_HOST, buf);
    if (!ok)
        return err_set(err, "%s:%s", path, terr.msg);
    return true;
}

bool cli_load_binary(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err)
{
    return load(owner, path, false, out, len, err);
}

bool cli_load_module(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err)
{
    return load(owner, path, true, out, len, err);
}
