/* The WASI context: configuration, the descriptor table, the host
 * functions (one trampoline per entry of wasi_funcs.def) and linking. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

void wasi_config_default(wasi_config *c)
{
    memset(c, 0, sizeof *c);
    c->stdio[0] = 0;
    c->stdio[1] = 1;
    c->stdio[2] = 2;
}

/* ---- errno ------------------------------------------------------------- */

uint32_t wasi_errno(int host_errno)
{
    static const struct { int host; uint16_t wasi; } map[] = {
#define X(name, v) {E##name, v},
        WASI_ERRNOS(X)
#undef X
    };
    if (host_errno == 0)
        return WASI_ESUCCESS;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].host == host_errno)
            return map[i].wasi;
    return WASI_EIO; /* a host error WASI has no name for */
}

uint32_t wasi_out32(wasi_call *c, uint32_t ptr, uint32_t v)
{
    uint8_t *p = wasi_mem(c, ptr, 4);
    if (!p)
        return WASI_EFAULT;
    wasi_put32(p, v);
    return WASI_ESUCCESS;
}

uint32_t wasi_out64(wasi_call *c, uint32_t ptr, uint64_t v)
{
    uint8_t *p = wasi_mem(c, ptr, 8);
    if (!p)
        return WASI_EFAULT;
    wasi_put64(p, v);
    return WASI_ESUCCESS;
}

uint8_t wasi_filetype(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN; /* pipes among them */
    }
}

/* ---- descriptor table -------------------------------------------------- */

wasi_fd *wasi_fd_get(wasi_ctx *w, uint32_t fd, uint64_t need, uint32_t *e)
{
    if (fd >= w->nfds || w->fds[fd].host < 0) {
        *e = WASI_EBADF;
        return NULL;
    }
    wasi_fd *f = &w->fds[fd];
    if ((f->rights & need) != need) {
        *e = WASI_ENOTCAPABLE;
        return NULL;
    }
    return f;
}

bool wasi_fd_add(wasi_ctx *w, int h, uint8_t filetype, uint64_t rights,
                 uint64_t inheriting, uint32_t *out)
{
    size_t i = 0;
    while (i < w->nfds && w->fds[i].host >= 0)
        i++;
    if (i == w->nfds) {
        if (i >= (size_t)INT32_MAX ||
            !mem_grow_array(w->owner, MEM_HOST, (void **)&w->fds, &w->cap_fds,
                            i + 1, sizeof *w->fds))
            return false;
        w->nfds++;
    }
    w->fds[i] = (wasi_fd){.host = h, .own = true, .filetype = filetype,
                          .rights = rights, .inheriting = inheriting};
    *out = (uint32_t)i;
    return true;
}

void wasi_fd_release(wasi_ctx *w, wasi_fd *f)
{
    if (f->host >= 0 && f->own)
        close(f->host);
    mem_free(w->owner, MEM_HOST, f->preopen);
    *f = (wasi_fd){.host = -1};
    /* Keep the table short so the next descriptor is the lowest free one. */
    while (w->nfds && w->fds[w->nfds - 1].host < 0)
        w->nfds--;
}

/* Slot `fd` made to exist (free) so that stdio keeps its numbers. */
static bool fd_reserve(wasi_ctx *w, size_t fd)
{
    if (!mem_grow_array(w->owner, MEM_HOST, (void **)&w->fds, &w->cap_fds,
                        fd + 1, sizeof *w->fds))
        return false;
    while (w->nfds <= fd)
        w->fds[w->nfds++] = (wasi_fd){.host = -1};
    return true;
}

static bool add_stdio(wasi_ctx *w, uint32_t fd, int host)
{
    if (!fd_reserve(w, fd))
        return false;
    if (host < 0)
        return true;
    struct stat st;
    uint8_t type = WASI_FILETYPE_UNKNOWN;
    uint64_t rights = WASI_RIGHTS_STREAM;
    if (fstat(host, &st) == 0) {
        type = wasi_filetype(st.st_mode);
        if (S_ISREG(st.st_mode))
            rights = WASI_RIGHTS_FILE;
    }
    w->fds[fd] = (wasi_fd){.host = host, .own = false, .filetype = type,
                           .rights = rights, .inheriting = 0};
    return true;
}

static bool add_preopen(wasi_ctx *w, const wasi_preopen *p, err_t *err)
{
    int h = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h < 0)
        return err_set(err, "cannot open directory '%s': %s", p->host_path,
                       strerror(errno));
    uint32_t fd;
    const char *g = p->guest_path ? p->guest_path : p->host_path;
    char *name = mem_strndup(w->owner, MEM_HOST, g, strlen(g));
    /* A preopen passes every right down; what a descriptor opened from it
     * may do is then narrowed by its file type (path_open). */
    if (!name || !wasi_fd_add(w, h, WASI_FILETYPE_DIRECTORY, WASI_RIGHTS_DIR,
                              WASI_RIGHTS_ALL, &fd)) {
        mem_free(w->owner, MEM_HOST, name);
        close(h);
        return err_set(err, "out of memory");
    }
    w->fds[fd].preopen = name;
    w->fds[fd].preopen_len = (uint32_t)strlen(name);
    return true;
}

/* ---- context ----------------------------------------------------------- */

static bool copy_strings(wasi_ctx *w, const char *const *src, uint32_t n,
                         char ***dst, uint32_t *bytes)
{
    *dst = mem_calloc(w->owner, MEM_HOST, n + 1, sizeof **dst);
    if (!*dst)
        return false;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(src[i]);
        (*dst)[i] = mem_strndup(w->owner, MEM_HOST, src[i], len);
        if (!(*dst)[i])
            return false;
        total += len + 1;
    }
    if (total > UINT32_MAX)
        return false;
    *bytes = (uint32_t)total;
    return true;
}

static void free_strings(wasi_ctx *w, char **v, uint32_t n)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < n; i++)
        mem_free(w->owner, MEM_HOST, v[i]);
    mem_free(w->owner, MEM_HOST, v);
}

wasi_ctx *wasi_ctx_new(mem_owner *owner, const wasi_config *c, err_t *err)
{
    wasi_ctx *w = mem_calloc(owner, MEM_HOST, 1, sizeof *w);
    if (!w) {
        err_set(err, "out of memory");
        return NULL;
    }
    w->owner = owner;
    w->argc = c->argc;
    w->envc = c->envc;
    w->no_openat2 = c->no_openat2;
    if (!copy_strings(w, c->argv, c->argc, &w->argv, &w->argv_bytes) ||
        !copy_strings(w, c->env, c->envc, &w->env, &w->env_bytes)) {
        err_set(err, "out of memory (arguments and environment)");
        wasi_ctx_free(w);
        return NULL;
    }
    for (uint32_t i = 0; i < 3; i++) {
        if (!add_stdio(w, i, c->stdio[i])) {
            err_set(err, "out of memory");
            wasi_ctx_free(w);
            return NULL;
        }
    }
    for (uint32_t i = 0; i < c->npreopens; i++) {
        if (!add_preopen(w, &c->preopens[i], err)) {
            wasi_ctx_free(w);
            return NULL;
        }
    }
    return w;
}

void wasi_ctx_free(wasi_ctx *w)
{
    if (!w)
        return;
    while (w->nfds)
        wasi_fd_release(w, &w->fds[w->nfds - 1]);
    mem_free(w->owner, MEM_HOST, w->fds);
    free_strings(w, w->argv, w->argc);
    free_strings(w, w->env, w->envc);
    mem_free(w->owner, MEM_HOST, w);
}

void wasi_ctx_bind_memory(wasi_ctx *w, rt_memory *m)
{
    w->bound_memory = m;
}

/* ---- host functions ---------------------------------------------------- */

/* The memory of the instance that made this call: its export "memory"
 * (as WASI requires), else the bound one. Looked up on every call (a
 * short scan of the exports): a cache keyed by instance address could
 * outlive the instance. */
static rt_memory *caller_memory(wasi_ctx *w, rt_store *s)
{
    rt_extern ex;
    if (s->host_caller &&
        rt_instance_export(s->host_caller, "memory", 6, &ex) &&
        ex.kind == EXTERN_MEMORY)
        return ex.u.memory;
    return w->bound_memory;
}

static rt_trap *call(uint32_t (*fn)(wasi_call *, const uint64_t *),
                     void *env, rt_store *s, const uint64_t *args,
                     uint64_t *results, bool has_result)
{
    wasi_call c = {.ctx = env, .store = s};
    rt_memory *m = caller_memory(c.ctx, s);
    if (m) {
        c.mem = m->base;
        c.mem_size = m->size;
    }
    uint32_t r = fn(&c, args);
    if (r == WASI_EXIT) {
        rt_trap *t = rt_trap_new(s, TRAP_EXIT, NULL);
        if (t)
            t->exit_status = c.exit_status;
        return t;
    }
    if (has_result)
        results[0] = r;
    return NULL;
}

#define WASI_FN(name, params, results)                                    \
    static rt_trap *host_##name(void *env, rt_store *s, const uint64_t *a, \
                                uint64_t *r)                              \
    {                                                                     \
        return call(wasi_fn_##name, env, s, a, r, sizeof(results) > 1);   \
    }
#include "wasi_funcs.def"
#undef WASI_FN

static const struct wasi_entry {
    const char *name;
    const char *params;
    const char *results;
    rt_host_fn fn;
} wasi_table[] = {
#define WASI_FN(name, params, results) {#name, params, results, host_##name},
#include "wasi_funcs.def"
#undef WASI_FN
};

static uint8_t sig_type(char c)
{
    return c == 'I' ? VT_I64 : VT_I32;
}

bool wasi_ctx_resolve(wasi_ctx *w, rt_store *s, const char *module,
                      size_t module_len, const char *name, size_t name_len,
                      rt_extern *out)
{
    if (module_len != strlen(WASI_MODULE_NAME) ||
        memcmp(module, WASI_MODULE_NAME, module_len) != 0)
        return false;
    for (size_t i = 0; i < sizeof wasi_table / sizeof *wasi_table; i++) {
        const struct wasi_entry *e = &wasi_table[i];
        if (strlen(e->name) != name_len || memcmp(e->name, name, name_len))
            continue;
        uint8_t types[16];
        uint32_t np = (uint32_t)strlen(e->params);
        uint32_t nr = (uint32_t)strlen(e->results);
        for (uint32_t k = 0; k < np; k++)
            types[k] = sig_type(e->params[k]);
        for (uint32_t k = 0; k < nr; k++)
            types[np + k] = sig_type(e->results[k]);
        functype ft = {.nparams = np, .nresults = nr, .types = types};
        rt_func *f = rt_func_new_host(s, &ft, e->fn, w, NULL);
        if (!f)
            return false;
        *out = (rt_extern){.kind = EXTERN_FUNC, .u.func = f};
        return true;
    }
    return false;
}

bool wasi_link(wasi_ctx *w, rt_store *s, const rt_module *m,
               wasi_import_fn extra, void *extra_env, rt_extern **imports,
               err_t *err)
{
    uint32_t n = m->desc.nimports;
    *imports = NULL;
    if (n == 0)
        return true;
    rt_extern *v = mem_calloc(&s->mem, MEM_HOST, n, sizeof *v);
    if (!v)
        return err_set(err, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const import_desc *im = &m->desc.imports[i];
        bool ok = w && im->kind == EXTERN_FUNC &&
                  wasi_ctx_resolve(w, s, im->module, im->module_len, im->name,
                                   im->name_len, &v[i]);
        if (!ok && extra)
            ok = extra(extra_env, s, im, &v[i]);
        if (!ok) {
            mem_free(&s->mem, MEM_HOST, v);
            return err_set(err, "unknown import: %.*s::%.*s",
                           (int)im->module_len, im->module,
                           (int)im->name_len, im->name);
        }
        /* Say which import has the wrong type (instantiation would only
         * say that one has). Interned types: equal ids, equal types. */
        if (im->kind == EXTERN_FUNC && v[i].kind == EXTERN_FUNC &&
            v[i].u.func->type_id != m->type_ids[im->u.func_type]) {
            mem_free(&s->mem, MEM_HOST, v);
            return err_set(err, "incompatible import type: %.*s::%.*s",
                           (int)im->module_len, im->module,
                           (int)im->name_len, im->name);
        }
    }
    *imports = v;
    return true;
}

void wasi_imports_free(rt_store *s, rt_extern *imports)
{
    mem_free(&s->mem, MEM_HOST, imports);
}

bool wasi_trap_is_exit(const rt_trap *t, uint32_t *status)
{
    if (!t || t->code != TRAP_EXIT)
        return false;
    if (status)
        *status = t->exit_status;
    return true;
}
