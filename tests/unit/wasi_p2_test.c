/* WASI 0.2 from the host side: looks functions up through the cm_host
 * the way the linker does and calls them with component values, on a
 * temporary directory: preopens, open-at (and its sandbox), reads,
 * writes, streams, stat, stdout, environment, exit, error codes, and the
 * argument checks that keep a component's declared types from being
 * trusted. Counters must be back where they started at the end. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "component/wasi_p2.h"

static rt_store *store;
static cm_host host;
static cm_host_call cx;

/* wasi:filesystem error-code values used below. */
enum { EC_NO_ENTRY = 20, EC_NOT_PERMITTED = 31, EC_BAD_DESCRIPTOR = 3 };

/* Calls iface#name; NULL or the trap (freed here, its code returned in
 * *code). -1 in *code when the function is not found. */
static int call(const char *iface, const char *name, const cm_val *args,
                uint32_t nargs, cm_val *res, uint32_t nres)
{
    cm_host_fn fn;
    void *env;
    if (!host.func(host.env, iface, name, &fn, &env))
        return -1;
    rt_trap *t = fn(env, &cx, args, nargs, res, nres);
    if (!t)
        return 0;
    int code = t->code == TRAP_EXIT ? 1000 + (int)t->exit_status
                                    : (int)t->code;
    rt_trap_free(t);
    return code;
}

static const cm_resource *res(const char *iface, const char *name)
{
    return host.resource(host.env, iface, name);
}

#define FS "wasi:filesystem/types@0.2.6"
#define IO "wasi:io/streams@0.2.6"

static cm_val borrow(const cm_val *own)
{
    return (cm_val){.kind = CM_BORROW, .u.handle = own->u.handle};
}

static cm_val str(const char *s)
{
    return (cm_val){.kind = CM_STRING,
                    .u.str = {(char *)s, (uint32_t)strlen(s)}};
}

static cm_val flags(uint64_t f)
{
    return (cm_val){.kind = CM_FLAGS, .u.flags = f};
}

static cm_val u64(uint64_t v)
{
    return (cm_val){.kind = CM_U64, .u.u = v};
}

static void drop(cm_val *own)
{
    if (own->kind == CM_OWN)
        own->u.handle.res->host_drop(own->u.handle.res->host_env,
                                     own->u.handle.rep);
}

/* open-at(dir, path-flags 0, path, oflags, dflags): 0 with *out (an own
 * descriptor), or the error-code + 1. */
static int open_at(const cm_val *dir, const char *path, uint64_t oflags,
                   uint64_t dflags, cm_val *out)
{
    cm_val a[5] = {borrow(dir), flags(0), str(path), flags(oflags),
                   flags(dflags)};
    cm_val r;
    if (call(FS, "[method]descriptor.open-at", a, 5, &r, 1) != 0)
        return -1;
    int ret = r.u.var.tag ? (int)r.u.var.payload->u.var.tag + 1 : 0;
    if (!ret)
        *out = *r.u.var.payload;
    else
        cm_val_free(cx.owner, &r);
    if (!ret) /* the own handle moved out: free only the box */
        mem_free(cx.owner, MEM_HOST, r.u.var.payload);
    return ret;
}

/* descriptor.read(d, len, off): the bytes as a C string in buf. */
static bool read_at(const cm_val *d, uint64_t len, uint64_t off, char *buf,
                    bool *eof)
{
    cm_val a[3] = {borrow(d), u64(len), u64(off)}, r;
    if (call(FS, "[method]descriptor.read", a, 3, &r, 1) != 0)
        return false;
    bool ok = r.kind == CM_RESULT && r.u.var.tag == 0;
    if (ok) {
        const cm_val *tup = r.u.var.payload->u.list.items;
        for (uint32_t i = 0; i < tup[0].u.list.n; i++)
            buf[i] = (char)tup[0].u.list.items[i].u.u;
        buf[tup[0].u.list.n] = 0;
        *eof = tup[1].u.b;
    }
    cm_val_free(cx.owner, &r);
    return ok;
}

static void test_lookup(void)
{
    EXPECT(res("wasi:filesystem/types@0.2.0", "descriptor"));
    EXPECT(res("wasi:io/streams@0.2.6", "output-stream"));
    EXPECT(!res("wasi:io/streams@0.3.0", "output-stream"));
    EXPECT(!res("wasi:io/streams", "output-stream"));
    EXPECT(!res("wasi:io/streams@0.2.6", "no-such-resource"));
    cm_host_fn fn;
    void *env;
    EXPECT(host.func(host.env, "wasi:cli/stdout@0.2.3", "get-stdout", &fn,
                     &env));
    EXPECT(!host.func(host.env, "wasi:cli/stdout@0.1.0", "get-stdout", &fn,
                      &env));
    EXPECT(!host.func(host.env, NULL, "get-stdout", &fn, &env));
    EXPECT(wasi_p2_iface_is("wasi:cli/run@0.2.6", "wasi:cli/run"));
    EXPECT(!wasi_p2_iface_is("wasi:cli/run@0.2.x", "wasi:cli/run"));
}

static void test_files(const cm_val *dir)
{
    cm_val f, g;
    char buf[128];
    bool eof = false;
    CHECK(open_at(dir, "data.txt", 0, 1, &f) == 0, "open data.txt");
    EXPECT(read_at(&f, 100, 0, buf, &eof) && !strcmp(buf, "hello") && eof);
    EXPECT(read_at(&f, 2, 1, buf, &eof) && !strcmp(buf, "el") && !eof);
    /* stat: regular-file (6), size 5 */
    cm_val a[2] = {borrow(&f)}, r;
    EXPECT(call(FS, "[method]descriptor.stat", a, 1, &r, 1) == 0 &&
           r.u.var.tag == 0 && r.u.var.payload->u.list.n == 6 &&
           r.u.var.payload->u.list.items[0].u.var.tag == 6 &&
           r.u.var.payload->u.list.items[2].u.u == 5);
    cm_val_free(cx.owner, &r);
    /* Writing through a descriptor opened for reading only. */
    cm_val bytes[1] = {{.kind = CM_U8, .u.u = 'x'}};
    cm_val w[3] = {borrow(&f),
                   {.kind = CM_LIST, .u.list = {bytes, 1}}, u64(0)};
    EXPECT(call(FS, "[method]descriptor.write", w, 3, &r, 1) == 0 &&
           r.u.var.tag == 1 &&
           r.u.var.payload->u.var.tag == EC_NOT_PERMITTED);
    cm_val_free(cx.owner, &r);
    /* An input stream over the file: "hel", "lo", then closed. */
    a[1] = u64(1);
    EXPECT(call(FS, "[method]descriptor.read-via-stream", a, 2, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val in = *r.u.var.payload;
    mem_free(cx.owner, MEM_HOST, r.u.var.payload);
    cm_val ra[2] = {borrow(&in), u64(3)};
    EXPECT(call(IO, "[method]input-stream.read", ra, 2, &r, 1) == 0 &&
           r.u.var.tag == 0 && r.u.var.payload->u.list.n == 3 &&
           r.u.var.payload->u.list.items[0].u.u == 'e');
    cm_val_free(cx.owner, &r);
    ra[1] = u64(100);
    EXPECT(call(IO, "[method]input-stream.read", ra, 2, &r, 1) == 0 &&
           r.u.var.tag == 0 && r.u.var.payload->u.list.n == 1);
    cm_val_free(cx.owner, &r);
    EXPECT(call(IO, "[method]input-stream.read", ra, 2, &r, 1) == 0 &&
           r.u.var.tag == 1 && r.u.var.payload->u.var.tag == 1); /* closed */
    cm_val_free(cx.owner, &r);
    drop(&in);
    /* A new file, written through an output stream, read back. */
    CHECK(open_at(dir, "out.txt", 1 | 8, 1 | 2, &g) == 0, "create out.txt");
    a[0] = borrow(&g);
    a[1] = u64(0);
    EXPECT(call(FS, "[method]descriptor.write-via-stream", a, 2, &r, 1) ==
               0 && r.u.var.tag == 0);
    cm_val out = *r.u.var.payload;
    mem_free(cx.owner, MEM_HOST, r.u.var.payload);
    cm_val abc[3] = {{.kind = CM_U8, .u.u = 'a'}, {.kind = CM_U8, .u.u = 'b'},
                     {.kind = CM_U8, .u.u = 'c'}};
    cm_val wa[2] = {borrow(&out), {.kind = CM_LIST, .u.list = {abc, 3}}};
    EXPECT(call(IO, "[method]output-stream.blocking-write-and-flush", wa, 2,
                &r, 1) == 0 && r.kind == CM_RESULT && r.u.var.tag == 0);
    cm_val_free(cx.owner, &r);
    EXPECT(call(IO, "[method]output-stream.write", wa, 2, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val_free(cx.owner, &r);
    drop(&out);
    EXPECT(read_at(&g, 100, 0, buf, &eof) && !strcmp(buf, "abcabc"));
    /* A list<u8> whose items are not u8 traps. */
    abc[1].kind = CM_U32;
    EXPECT(call(FS, "[method]descriptor.write", (cm_val[]){borrow(&g),
                {.kind = CM_LIST, .u.list = {abc, 3}}, u64(0)}, 3, &r, 1) ==
           TRAP_HOST);
    drop(&g);
    drop(&f);
}

static void test_sandbox(const cm_val *dir)
{
    cm_val f;
    EXPECT(open_at(dir, "missing", 0, 1, &f) == EC_NO_ENTRY + 1);
    EXPECT(open_at(dir, "../secret", 0, 1, &f) == EC_NOT_PERMITTED + 1);
    EXPECT(open_at(dir, "sub/../../secret", 0, 1, &f) ==
           EC_NOT_PERMITTED + 1);
    EXPECT(open_at(dir, "/etc/passwd", 0, 1, &f) == EC_NOT_PERMITTED + 1);
    EXPECT(open_at(dir, "up/secret", 0, 1, &f) == EC_NOT_PERMITTED + 1);
    /* Truncating needs write permission. */
    EXPECT(open_at(dir, "data.txt", 8, 1, &f) == EC_NOT_PERMITTED + 1);
    /* Unknown open-flags bits. */
    EXPECT(open_at(dir, "data.txt", 64, 1, &f) > 0);
}

/* Links, renames and listings. */
static void test_dirs(const cm_val *dir)
{
    cm_val r;
    cm_val sl[3] = {borrow(dir), str("data.txt"), str("ln")};
    EXPECT(call(FS, "[method]descriptor.symlink-at", sl, 3, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val rl[2] = {borrow(dir), str("ln")};
    EXPECT(call(FS, "[method]descriptor.readlink-at", rl, 2, &r, 1) == 0 &&
           r.u.var.tag == 0 && r.u.var.payload->u.str.len == 8 &&
           !memcmp(r.u.var.payload->u.str.ptr, "data.txt", 8));
    cm_val_free(cx.owner, &r);
    /* A link may say anything; following it out of the preopen fails. */
    cm_val out[3] = {borrow(dir), str("/etc/passwd"), str("abs")};
    EXPECT(call(FS, "[method]descriptor.symlink-at", out, 3, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val f;
    EXPECT(open_at(dir, "abs", 0, 1, &f) == 15 + 1); /* loop: not followed */
    cm_val oa[5] = {borrow(dir), flags(1), str("abs"), flags(0), flags(1)};
    EXPECT(call(FS, "[method]descriptor.open-at", oa, 5, &r, 1) == 0 &&
           r.u.var.tag == 1 &&
           r.u.var.payload->u.var.tag == EC_NOT_PERMITTED);
    cm_val_free(cx.owner, &r);
    cm_val rn[4] = {borrow(dir), str("ln"), borrow(dir), str("sub/ln2")};
    EXPECT(call(FS, "[method]descriptor.rename-at", rn, 4, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val rd[1] = {borrow(dir)};
    EXPECT(call(FS, "[method]descriptor.read-directory", rd, 1, &r, 1) == 0 &&
           r.u.var.tag == 0);
    cm_val ls = *r.u.var.payload;
    mem_free(cx.owner, MEM_HOST, r.u.var.payload);
    cm_val b = {.kind = CM_BORROW, .u.handle = ls.u.handle};
    int n = 0, dots = 0, subs = 0;
    for (;;) {
        if (call(FS, "[method]directory-entry-stream.read-directory-entry",
                 &b, 1, &r, 1) != 0 || r.u.var.tag != 0) {
            n = -100;
            break;
        }
        const cm_val *opt = r.u.var.payload;
        if (opt->u.var.tag == 0) {
            cm_val_free(cx.owner, &r);
            break;
        }
        const cm_val *ent = opt->u.var.payload->u.list.items;
        n++;
        dots += ent[1].u.str.ptr[0] == '.';
        /* directory (3) named "sub" */
        subs += ent[0].u.var.tag == 3 && ent[1].u.str.len == 3 &&
                !memcmp(ent[1].u.str.ptr, "sub", 3);
        cm_val_free(cx.owner, &r);
    }
    /* data.txt, sub, up, out.txt, abs: no "." or ".." */
    CHECK(n == 5 && dots == 0 && subs == 1, "listing: %d entries", n);
    drop(&ls);
    /* A listing handle is not an input stream. */
    cm_val in[2] = {{.kind = CM_BORROW, .u.handle = ls.u.handle}, u64(1)};
    EXPECT(call(IO, "[method]input-stream.read", in, 2, &r, 1) == TRAP_HOST);
}

/* Clock pollables: ready once their time has come; a sleep is cut short
 * by the store's epoch deadline. */
static void test_poll(void)
{
    cm_val r, d = u64(5000000); /* 5 ms */
    const char *clk = "wasi:clocks/monotonic-clock@0.2.6";
    const char *poll = "wasi:io/poll@0.2.6";
    EXPECT(call(clk, "subscribe-duration", &d, 1, &r, 1) == 0 &&
           r.kind == CM_OWN);
    cm_val pl = r, b = borrow(&pl);
    EXPECT(call(poll, "[method]pollable.block", &b, 1, NULL, 0) == 0);
    EXPECT(call(poll, "[method]pollable.ready", &b, 1, &r, 1) == 0 &&
           r.kind == CM_BOOL && r.u.b);
    cm_val list = {.kind = CM_LIST, .u.list = {&b, 1}};
    EXPECT(call(poll, "poll", &list, 1, &r, 1) == 0 && r.u.list.n == 1 &&
           r.u.list.items[0].u.u == 0);
    cm_val_free(cx.owner, &r);
    list.u.list.n = 0;
    EXPECT(call(poll, "poll", &list, 1, &r, 1) == TRAP_HOST);
    drop(&pl);
    /* Ten seconds asked, the deadline already passed: interrupted. */
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.epoch_interruption = true;
    rt_engine *e2 = rt_engine_new(&cfg);
    rt_store *s2 = rt_store_new(e2);
    s2->epoch_deadline = 0;
    cm_host_call saved = cx;
    cx = (cm_host_call){s2, &s2->mem};
    d = u64(10000000000u);
    EXPECT(call(clk, "subscribe-duration", &d, 1, &r, 1) == 0);
    pl = r, b = borrow(&pl);
    EXPECT(call(poll, "[method]pollable.block", &b, 1, NULL, 0) ==
           TRAP_INTERRUPT);
    drop(&pl);
    cx = saved;
    rt_store_free(s2);
    rt_engine_free(e2);
}

/* Arguments of the wrong kind trap, whatever the component declared. */
static void test_kinds(const cm_val *dir)
{
    cm_val r;
    cm_val a[3] = {u64(3), u64(10), u64(0)};
    EXPECT(call(FS, "[method]descriptor.read", a, 3, &r, 1) == TRAP_HOST);
    a[0] = borrow(dir);
    EXPECT(call(FS, "[method]descriptor.read", a, 2, &r, 1) == TRAP_HOST);
    EXPECT(call(FS, "[method]descriptor.read", a, 3, &r, 0) == TRAP_HOST);
    /* A borrowed descriptor where an output-stream is expected. */
    cm_val w[2] = {borrow(dir), {.kind = CM_LIST}};
    EXPECT(call(IO, "[method]output-stream.write", w, 2, &r, 1) == TRAP_HOST);
    /* Reading a directory answers an error, not a trap. */
    EXPECT(call(FS, "[method]descriptor.read", a, 3, &r, 1) == 0 &&
           r.u.var.tag == 1);
    cm_val_free(cx.owner, &r);
}

static void test_cli(int out_fd)
{
    cm_val r;
    EXPECT(call("wasi:cli/stdout@0.2.6", "get-stdout", NULL, 0, &r, 1) == 0 &&
           r.kind == CM_OWN);
    cm_val so = r;
    cm_val hi[2] = {{.kind = CM_U8, .u.u = 'h'}, {.kind = CM_U8, .u.u = 'i'}};
    cm_val wa[2] = {borrow(&so), {.kind = CM_LIST, .u.list = {hi, 2}}};
    EXPECT(call(IO, "[method]output-stream.blocking-write-and-flush", wa, 2,
                &r, 1) == 0 && r.u.var.tag == 0);
    cm_val_free(cx.owner, &r);
    drop(&so);
    char buf[8] = {0};
    EXPECT(pread(out_fd, buf, sizeof buf, 0) == 2 && !strcmp(buf, "hi"));
    EXPECT(call("wasi:cli/environment@0.2.6", "get-arguments", NULL, 0, &r,
                1) == 0 && r.u.list.n == 2 &&
           !memcmp(r.u.list.items[1].u.str.ptr, "arg", 3));
    cm_val_free(cx.owner, &r);
    EXPECT(call("wasi:cli/environment@0.2.6", "get-environment", NULL, 0, &r,
                1) == 0 && r.u.list.n == 1 &&
           r.u.list.items[0].u.list.items[1].u.str.len == 3);
    cm_val_free(cx.owner, &r);
    cm_val st = {.kind = CM_RESULT, .u.var = {1, NULL}};
    EXPECT(call("wasi:cli/exit@0.2.6", "exit", &st, 1, NULL, 0) == 1001);
    st.u.var.tag = 0;
    EXPECT(call("wasi:cli/exit@0.2.6", "exit", &st, 1, NULL, 0) == 1000);
    cm_val n = u64(16);
    EXPECT(call("wasi:random/random@0.2.6", "get-random-bytes", &n, 1, &r,
                1) == 0 && r.u.list.n == 16);
    cm_val_free(cx.owner, &r);
    EXPECT(call("wasi:clocks/monotonic-clock@0.2.6", "now", NULL, 0, &r,
                1) == 0 && r.kind == CM_U64 && r.u.u > 0);
    /* An error's debug string and its filesystem error-code. */
    cm_val e = {.kind = CM_BORROW, .u.handle = {
                    res("wasi:io/error@0.2.6", "error"), 44 /* ENOENT */}};
    EXPECT(call("wasi:io/error@0.2.6", "[method]error.to-debug-string", &e,
                1, &r, 1) == 0 && r.u.str.len == 8 &&
           !memcmp(r.u.str.ptr, "no-entry", 8));
    cm_val_free(cx.owner, &r);
    EXPECT(call(FS, "filesystem-error-code", &e, 1, &r, 1) == 0 &&
           r.u.var.tag == 1 && r.u.var.payload->u.var.tag == EC_NO_ENTRY);
    cm_val_free(cx.owner, &r);
}

int main(void)
{
    char root[200], box[260], cmd[2048];
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/ebb-wasi-p2-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return 1;
    snprintf(box, sizeof box, "%s/box", root);
    snprintf(cmd, sizeof cmd, "mkdir %s && mkdir %s/sub && "
             "printf hello > %s/data.txt && printf s > %s/secret && "
             "ln -s .. %s/up", box, box, box, root, box);
    if (system(cmd) != 0)
        return 1;
    char outp[260];
    snprintf(outp, sizeof outp, "%s/stdout", root);
    int out_fd = open(outp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    rt_engine *e = rt_engine_new(NULL);
    store = rt_store_new(e);
    cx = (cm_host_call){store, &store->mem};
    size_t live0 = mem_owner_live(&e->mem), slive0 = mem_owner_live(&store->mem);
    wasi_config cfg;
    wasi_config_default(&cfg);
    const char *argv[] = {"prog", "arg"}, *env[] = {"K=val"};
    wasi_preopen pre = {.host_path = box, .guest_path = "."};
    cfg.argc = 2, cfg.argv = argv, cfg.envc = 1, cfg.env = env;
    cfg.npreopens = 1, cfg.preopens = &pre;
    cfg.stdio[1] = out_fd;
    err_t err;
    err_clear(&err);
    wasi_ctx *w = wasi_ctx_new(&e->mem, &cfg, &err);
    wasi_p2 *p = wasi_p2_new(&e->mem, w);
    host = wasi_p2_host(p);

    test_lookup();
    cm_val r;
    EXPECT(call("wasi:filesystem/preopens@0.2.6", "get-directories", NULL, 0,
                &r, 1) == 0 && r.u.list.n == 1);
    cm_val dir = r.u.list.items[0].u.list.items[0];
    EXPECT(dir.kind == CM_OWN &&
           r.u.list.items[0].u.list.items[1].u.str.len == 1);
    cm_val_free(cx.owner, &r);
    test_files(&dir);
    test_sandbox(&dir);
    test_kinds(&dir);
    test_dirs(&dir);
    test_poll();
    test_cli(out_fd);
    drop(&dir);
    cm_val bad = borrow(&dir); /* dropped: bad-descriptor */
    cm_val a[3] = {bad, u64(1), u64(0)};
    EXPECT(call(FS, "[method]descriptor.read", a, 3, &r, 1) == 0 &&
           r.u.var.tag == 1 && r.u.var.payload->u.var.tag == EC_BAD_DESCRIPTOR);
    cm_val_free(cx.owner, &r);

    wasi_p2_free(p);
    wasi_ctx_free(w);
    CHECK(mem_owner_live(&e->mem) == live0, "engine bytes left: %zu",
          mem_owner_live(&e->mem) - live0);
    CHECK(mem_owner_live(&store->mem) == slive0, "store bytes left: %zu",
          mem_owner_live(&store->mem) - slive0);
    rt_store_free(store);
    rt_engine_free(e);
    close(out_fd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        printf("cleanup failed\n");
    return check_summary();
}
