/* WASI for embedders: a configuration (arguments, environment, preopened
 * directories, standard streams) that becomes one guest's context
 * (wasi/wasi.h). Captured streams and stdin bytes live in anonymous
 * in-memory files, so the guest's reads and writes are ordinary
 * descriptor operations and the embedder reads the bytes afterwards. */
#include "ebb_wasi.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

enum { STDIO_NONE, STDIO_INHERIT, STDIO_CAPTURE, STDIO_BYTES };

typedef struct str_list {
    char **items;
    size_t n, cap;
} str_list;

struct ebb_wasi_config_t {
    str_list argv, env, pre_host, pre_guest;
    uint8_t stdio[3];
    wasm_byte_vec_t stdin_bytes;
};

static bool list_push(str_list *l, const char *s, size_t len)
{
    char *c = mem_strndup(&api_mem, MEM_HOST, s, len);
    if (!c || !mem_grow_array(&api_mem, MEM_HOST, (void **)&l->items,
                              &l->cap, l->n + 1, sizeof *l->items)) {
        api_free(c);
        return false;
    }
    l->items[l->n++] = c;
    return true;
}

static void list_clear(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        api_free(l->items[i]);
    api_free(l->items);
    memset(l, 0, sizeof *l);
}

ebb_wasi_config_t *ebb_wasi_config_new(void)
{
    return api_alloc(sizeof(ebb_wasi_config_t)); /* all streams closed */
}

void ebb_wasi_config_delete(ebb_wasi_config_t *c)
{
    if (!c)
        return;
    list_clear(&c->argv);
    list_clear(&c->env);
    list_clear(&c->pre_host);
    list_clear(&c->pre_guest);
    wasm_byte_vec_delete(&c->stdin_bytes);
    api_free(c);
}

bool ebb_wasi_config_set_argv(ebb_wasi_config_t *c, size_t argc,
                              const char *const argv[])
{
    if (!c || (argc && !argv))
        return false;
    list_clear(&c->argv);
    for (size_t i = 0; i < argc; i++)
        if (!argv[i] || !list_push(&c->argv, argv[i], strlen(argv[i])))
            return false;
    return true;
}

static bool env_push(ebb_wasi_config_t *c, const char *name,
                     const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *kv = api_alloc(nl + vl + 2);
    if (!kv)
        return false;
    memcpy(kv, name, nl);
    kv[nl] = '=';
    memcpy(kv + nl + 1, value, vl);
    bool ok = list_push(&c->env, kv, nl + vl + 1);
    api_free(kv);
    return ok;
}

bool ebb_wasi_config_set_env(ebb_wasi_config_t *c, size_t n,
                             const char *const names[],
                             const char *const values[])
{
    if (!c || (n && (!names || !values)))
        return false;
    list_clear(&c->env);
    for (size_t i = 0; i < n; i++)
        if (!names[i] || !values[i] || !env_push(c, names[i], values[i]))
            return false;
    return true;
}

bool ebb_wasi_config_inherit_env(ebb_wasi_config_t *c)
{
    if (!c)
        return false;
    list_clear(&c->env);
    for (char **e = environ; e && *e; e++)
        if (!list_push(&c->env, *e, strlen(*e)))
            return false;
    return true;
}

bool ebb_wasi_config_preopen_dir(ebb_wasi_config_t *c, const char *host_path,
                                 const char *guest_path)
{
    if (!c || !host_path || !guest_path)
        return false;
    if (!list_push(&c->pre_host, host_path, strlen(host_path)))
        return false;
    if (!list_push(&c->pre_guest, guest_path, strlen(guest_path))) {
        api_free(c->pre_host.items[--c->pre_host.n]);
        return false;
    }
    return true;
}

static void set_stdio(ebb_wasi_config_t *c, int fd, uint8_t mode)
{
    if (c)
        c->stdio[fd] = mode;
}

void ebb_wasi_config_inherit_stdin(ebb_wasi_config_t *c)
{
    set_stdio(c, 0, STDIO_INHERIT);
}

void ebb_wasi_config_inherit_stdout(ebb_wasi_config_t *c)
{
    set_stdio(c, 1, STDIO_INHERIT);
}

void ebb_wasi_config_inherit_stderr(ebb_wasi_config_t *c)
{
    set_stdio(c, 2, STDIO_INHERIT);
}

void ebb_wasi_config_capture_stdout(ebb_wasi_config_t *c)
{
    set_stdio(c, 1, STDIO_CAPTURE);
}

void ebb_wasi_config_capture_stderr(ebb_wasi_config_t *c)
{
    set_stdio(c, 2, STDIO_CAPTURE);
}

bool ebb_wasi_config_set_stdin_bytes(ebb_wasi_config_t *c,
                                     const wasm_byte_vec_t *bytes)
{
    if (!c || !bytes || (bytes->size && !bytes->data))
        return false;
    wasm_byte_vec_delete(&c->stdin_bytes);
    wasm_byte_vec_copy(&c->stdin_bytes, bytes);
    if (bytes->size && !c->stdin_bytes.data)
        return false;
    c->stdio[0] = STDIO_BYTES;
    return true;
}

/* ---- contexts ---------------------------------------------------------- */

/* An anonymous in-memory file holding `bytes` (may be empty), positioned
 * at its start; -1 on failure. */
static int memory_file(const char *name, const wasm_byte_vec_t *bytes)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (bytes && done < bytes->size) {
        ssize_t n = write(fd, bytes->data + done, bytes->size - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static ebb_error_t *open_stdio(const ebb_wasi_config_t *c, ebb_wasi_t *w,
                               int stdio[3])
{
    static const char *const names[3] = {"ebb-stdin", "ebb-stdout",
                                         "ebb-stderr"};
    for (int i = 0; i < 3; i++) {
        stdio[i] = -1;
        w->own_fd[i] = -1;
        switch (c->stdio[i]) {
        case STDIO_INHERIT:
            stdio[i] = i;
            break;
        case STDIO_CAPTURE:
        case STDIO_BYTES:
            w->own_fd[i] = memory_file(
                names[i], c->stdio[i] == STDIO_BYTES ? &c->stdin_bytes : NULL);
            if (w->own_fd[i] < 0)
                return ebb_error_newf("wasi: cannot make a file for %s",
                                      names[i] + 4);
            stdio[i] = w->own_fd[i];
            break;
        default:
            break;
        }
    }
    return NULL;
}

void ebb_wasi_delete(ebb_wasi_t *w)
{
    if (!w)
        return;
    wasi_ctx_free(w->ctx);
    for (int i = 0; i < 3; i++)
        if (w->own_fd[i] >= 0)
            close(w->own_fd[i]);
    api_free(w);
}

ebb_error_t *ebb_wasi_new(ebb_wasi_config_t *c, ebb_wasi_t **out)
{
    if (!out) {
        ebb_wasi_config_delete(c);
        return ebb_error_newf("ebb_wasi_new: no output pointer");
    }
    *out = NULL;
    if (!c)
        return ebb_error_newf("ebb_wasi_new: no configuration");
    ebb_wasi_t *w = api_alloc(sizeof *w);
    wasi_preopen *pre = api_alloc((c->pre_host.n + 1) * sizeof *pre);
    ebb_error_t *e = NULL;
    for (int i = 0; w && i < 3; i++)
        w->own_fd[i] = -1;
    if (!w || !pre) {
        e = ebb_error_newf("out of memory");
        goto done;
    }
    wasi_config cfg;
    wasi_config_default(&cfg);
    if ((e = open_stdio(c, w, cfg.stdio)))
        goto done;
    cfg.argc = (uint32_t)c->argv.n;
    cfg.argv = (const char *const *)c->argv.items;
    cfg.envc = (uint32_t)c->env.n;
    cfg.env = (const char *const *)c->env.items;
    for (size_t i = 0; i < c->pre_host.n; i++)
        pre[i] = (wasi_preopen){c->pre_host.items[i], c->pre_guest.items[i]};
    cfg.npreopens = (uint32_t)c->pre_host.n;
    cfg.preopens = pre;
    err_t err;
    err_clear(&err);
    w->ctx = wasi_ctx_new(&api_mem, &cfg, &err);
    if (!w->ctx)
        e = ebb_error_from(&err);
done:
    api_free(pre);
    ebb_wasi_config_delete(c);
    if (e) {
        if (w && !w->ctx)
            for (int i = 0; i < 3; i++)
                if (w->own_fd[i] >= 0)
                    close(w->own_fd[i]);
        api_free(w);
        return e;
    }
    *out = w;
    return NULL;
}

/* Everything written to a captured stream, from its start. */
static void captured(const ebb_wasi_t *w, int i, wasm_byte_vec_t *out)
{
    wasm_byte_vec_new_empty(out);
    struct stat st;
    if (!w || w->own_fd[i] < 0 || fstat(w->own_fd[i], &st) != 0 ||
        st.st_size <= 0)
        return;
    wasm_byte_vec_new_uninitialized(out, (size_t)st.st_size);
    if (!out->data)
        return;
    ssize_t n = pread(w->own_fd[i], out->data, out->size, 0);
    out->size = n > 0 ? (size_t)n : 0;
}

void ebb_wasi_stdout(const ebb_wasi_t *w, wasm_byte_vec_t *out)
{
    if (out)
        captured(w, 1, out);
}

void ebb_wasi_stderr(const ebb_wasi_t *w, wasm_byte_vec_t *out)
{
    if (out)
        captured(w, 2, out);
}

bool ebb_wasi_exit_status(const ebb_wasi_t *w, int *status)
{
    if (!w || !w->exited)
        return false;
    if (status)
        *status = (int)w->exit_status;
    return true;
}

/* proc_exit, wrapped: the context's function, and a note of the status. */
typedef struct exit_env {
    ebb_wasi_t *w;
    rt_func *inner;
} exit_env;

static rt_trap *proc_exit(void *env, rt_store *s, const uint64_t *args,
                          uint64_t *results)
{
    exit_env *x = env;
    rt_trap *t = x->inner->host(x->inner->host_env, s, args, results);
    uint32_t status;
    if (t && wasi_trap_is_exit(t, &status)) {
        x->w->exited = true;
        x->w->exit_status = status;
    }
    return t;
}

wasm_extern_t *ebb_wasi_extern(ebb_wasi_t *w, wasm_store_t *s,
                               const char *module, size_t mlen,
                               const char *name, size_t nlen)
{
    rt_extern ext;
    if (!w || !s ||
        !wasi_ctx_resolve(w->ctx, s->rt, module, mlen, name, nlen, &ext) ||
        ext.kind != EXTERN_FUNC)
        return NULL;
    rt_func *f = ext.u.func;
    if (nlen == 9 && !memcmp(name, "proc_exit", 9)) {
        exit_env *x = api_alloc(sizeof *x);
        if (!x)
            return NULL;
        *x = (exit_env){w, f};
        f = rt_func_new_host(s->rt, f->type, proc_exit, x, api_free);
        if (!f) {
            api_free(x);
            return NULL;
        }
    }
    api_obj *o = api_store_obj(s, API_FUNC, f);
    return o ? (wasm_extern_t *)api_handle_new(o) : NULL;
}
