/* Reading modules from disk, in either format. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "text/text.h"

bool cli_read_file(mem_owner *owner, const char *path, uint8_t **out,
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

/* Text never contains a NUL byte and a binary module starts with one
 * ("\0asm"), so the first byte decides; the decoder then judges the
 * header of anything that starts like a binary. */
bool cli_load_binary(mem_owner *owner, const char *path, uint8_t **out,
                     size_t *len, err_t *err)
{
    uint8_t *buf;
    size_t n;
    if (!cli_read_file(owner, path, &buf, &n, err))
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
