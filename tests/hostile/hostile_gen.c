/* hostile_gen: writes the hostile modules of tests/hostile/run.sh, and runs
 * a command measuring its peak memory.
 *   hostile_gen list              the case names, one a line
 *   hostile_gen CASE FILE         writes the module of CASE to FILE (text
 *                                 for the cases named wat-*)
 *   hostile_gen exec CMD ARGS...  runs CMD; prints "exit N rss KIB" or
 *                                 "signal N rss KIB" (its max RSS) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "hostile_gen: out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void byte(buf *b, uint8_t v) { put(b, &v, 1); }

static void u32(buf *b, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        byte(b, c | (v ? 0x80 : 0));
    } while (v);
}

static void s32(buf *b, int32_t v)
{
    int64_t x = v;
    for (;;) {
        uint8_t c = x & 0x7f;
        x >>= 7;
        if ((x == 0 && !(c & 0x40)) || (x == -1 && (c & 0x40))) {
            byte(b, c);
            return;
        }
        byte(b, c | 0x80);
    }
}

static void str(buf *b, const char *s)
{
    u32(b, strlen(s));
    put(b, s, strlen(s));
}

/* Appends section ID holding the bytes of CONTENT, and frees CONTENT. */
static void section(buf *m, uint8_t id, buf *content)
{
    byte(m, id);
    u32(m, content->n);
    put(m, content->p, content->n);
    free(content->p);
    *content = (buf){0};
}

static void header(buf *m)
{
    put(m, "\0asm\1\0\0\0", 8);
}

/* type 0: [] -> [i32]; type 1: [] -> [] */
static void types(buf *m)
{
    buf s = {0};
    u32(&s, 2);
    put(&s, "\x60\x00\x01\x7f", 4);
    put(&s, "\x60\x00\x00", 3);
    section(m, 1, &s);
}

static void funcs(buf *m, uint32_t n, uint32_t type)
{
    buf s = {0};
    u32(&s, n);
    for (uint32_t i = 0; i < n; i++)
        u32(&s, type);
    section(m, 3, &s);
}

static void export_func(buf *m, uint32_t index)
{
    buf s = {0};
    u32(&s, 1);
    str(&s, "f");
    byte(&s, 0);
    u32(&s, index);
    section(m, 7, &s);
}

/* The code section of one function whose locals are LOCALS (already
 * encoded) and whose instructions are BODY (without the final end). */
static void code1(buf *m, buf *locals, buf *body)
{
    buf f = {0}, s = {0};
    put(&f, locals->p, locals->n);
    put(&f, body->p, body->n);
    byte(&f, 0x0b);
    u32(&s, 1);
    u32(&s, f.n);
    put(&s, f.p, f.n);
    free(f.p);
    free(locals->p);
    free(body->p);
    section(m, 10, &s);
}

/* One exported function f of type 0 (-> i32) with BODY. */
static void one_func(buf *m, buf *locals, buf *body)
{
    header(m);
    types(m);
    funcs(m, 1, 0);
    export_func(m, 0);
    code1(m, locals, body);
}

static buf no_locals(void)
{
    buf l = {0};
    u32(&l, 0);
    return l;
}

/* 100,000 nested blocks of OP (0x02 block, 0x03 loop, 0x04 if) around
 * `i32.const 7`; with BR, the innermost branches out of all of them. */
static void nest(buf *m, uint8_t op, int br)
{
    const uint32_t depth = 100000;
    buf l = no_locals(), b = {0};
    for (uint32_t i = 0; i < depth; i++) {
        if (op == 0x04)
            put(&b, "\x41\x01", 2);
        byte(&b, op);
        byte(&b, 0x7f);
    }
    put(&b, "\x41\x07", 2);
    if (br) {
        byte(&b, 0x0c);
        u32(&b, depth - 1);
    }
    for (uint32_t i = 0; i < depth; i++) {
        if (op == 0x04)
            put(&b, "\x05\x41\x00", 3); /* else i32.const 0 */
        byte(&b, 0x0b);
    }
    one_func(m, &l, &b);
}

/* Locals: GROUPS declarations of COUNT i32 each. */
static void locals(buf *m, uint64_t groups, uint64_t count)
{
    buf l = {0}, b = {0};
    u32(&l, groups);
    for (uint64_t i = 0; i < groups; i++) {
        u32(&l, count);
        byte(&l, 0x7f);
    }
    put(&b, "\x41\x00", 2);
    one_func(m, &l, &b);
}

/* A section ID that declares 2^32-1 entries and holds a few bytes. */
static void huge_count(buf *m, uint8_t id)
{
    buf s = {0};
    header(m);
    u32(&s, 0xffffffffu);
    put(&s, "\x00\x00\x00\x00", 4);
    section(m, id, &s);
}

/* Memory of PAGES pages; a data segment of LEN bytes (DECLARED in its
 * length field) at OFFSET; f loads the i32 at LOAD. */
static void data(buf *m, uint32_t pages, uint32_t offset, uint32_t len,
                 uint32_t declared, uint32_t load)
{
    buf s = {0};
    header(m);
    types(m);
    funcs(m, 1, 0);
    u32(&s, 1);
    byte(&s, 0);
    u32(&s, pages);
    section(m, 5, &s);
    export_func(m, 0);
    buf l = no_locals(), b = {0};
    put(&b, "\x41", 1);
    s32(&b, (int32_t)load);
    put(&b, "\x28\x02\x00", 3);
    code1(m, &l, &b);
    u32(&s, 1);
    byte(&s, 0);
    put(&s, "\x41", 1);
    s32(&s, (int32_t)offset);
    byte(&s, 0x0b);
    u32(&s, declared);
    for (uint32_t i = 0; i < len; i++)
        byte(&s, (uint8_t)(i * 7 + 1));
    /* A declared length past the file's end: the section says so too. */
    byte(m, 11);
    u32(m, s.n + (declared - len));
    put(m, s.p, s.n);
    free(s.p);
}

/* N imports of MODULE.NAME (NAME "%u" numbers them) of type 0; f calls
 * the last one. */
static void imports(buf *m, uint32_t n, const char *module, const char *name)
{
    buf s = {0};
    header(m);
    types(m);
    u32(&s, n);
    for (uint32_t i = 0; i < n; i++) {
        char nm[64];
        snprintf(nm, sizeof nm, name, i);
        str(&s, module);
        str(&s, nm);
        byte(&s, 0);
        u32(&s, 0);
    }
    section(m, 2, &s);
    funcs(m, 1, 0);
    export_func(m, n);
    buf l = no_locals(), b = {0};
    byte(&b, 0x10);
    u32(&b, n - 1);
    code1(m, &l, &b);
}

/* N functions, each calling the next; the last returns 1. */
static void call_chain(buf *m, uint32_t n)
{
    header(m);
    types(m);
    funcs(m, n, 0);
    export_func(m, 0);
    buf s = {0};
    u32(&s, n);
    for (uint32_t i = 0; i < n; i++) {
        buf f = {0};
        u32(&f, 0);
        if (i + 1 < n) {
            byte(&f, 0x10);
            u32(&f, i + 1);
        } else {
            put(&f, "\x41\x01", 2);
        }
        byte(&f, 0x0b);
        u32(&s, f.n);
        put(&s, f.p, f.n);
        free(f.p);
    }
    section(m, 10, &s);
}

/* 1,000,000 constants on the operand stack, then added up. */
static void operands(buf *m)
{
    const uint32_t n = 1000000;
    buf l = no_locals(), b = {0};
    for (uint32_t i = 0; i < n; i++)
        put(&b, "\x41\x01", 2);
    for (uint32_t i = 1; i < n; i++)
        byte(&b, 0x6a);
    one_func(m, &l, &b);
}

/* A br_table of 1,000,000 targets. */
static void br_table(buf *m)
{
    const uint32_t n = 1000000;
    buf l = no_locals(), b = {0};
    put(&b, "\x02\x7f\x41\x05\x41\x03\x0e", 7);
    u32(&b, n);
    for (uint32_t i = 0; i < n; i++)
        byte(&b, 0);
    byte(&b, 0);
    byte(&b, 0x0b);
    one_func(m, &l, &b);
}

/* A table of 10,000,000 funcref elements; f returns its size. */
static void big_table(buf *m)
{
    buf s = {0};
    header(m);
    types(m);
    funcs(m, 1, 0);
    u32(&s, 1);
    put(&s, "\x70\x00", 2);
    u32(&s, 10000000);
    section(m, 4, &s);
    export_func(m, 0);
    buf l = no_locals(), b = {0};
    put(&b, "\xfc\x10\x00", 3);
    code1(m, &l, &b);
}

/* f calls itself forever. */
static void recursion(buf *m)
{
    buf l = no_locals(), b = {0};
    put(&b, "\x10\x00", 2);
    one_func(m, &l, &b);
}

/* Text: 100,000 nested folded blocks, or folded i32.add operands. */
static void wat_nest(buf *m, int adds)
{
    const uint32_t depth = 100000;
    const char *open = adds ? "(i32.add (i32.const 1) " : "(block (result i32) ";
    const char *head = "(module (func (export \"f\") (result i32) ";
    put(m, head, strlen(head));
    for (uint32_t i = 0; i < depth; i++)
        put(m, open, strlen(open));
    put(m, "(i32.const 7)", 13);
    for (uint32_t i = 0; i < depth; i++)
        byte(m, ')');
    put(m, "))\n", 3);
}

static const char *const cases[] = {
    "nest-block", "nest-loop", "nest-if", "nest-br", "locals-1m",
    "locals-1m-groups", "locals-4g", "count-types", "count-imports",
    "count-funcs", "count-exports", "count-code", "count-data",
    "data-1g-declared", "data-1g-memory", "data-4g-memory", "data-16m",
    "imports-10k", "imports-10k-unknown", "calls-100k", "recursion",
    "operands-1m", "br-table-1m", "table-10m", "wat-nest-block",
    "wat-nest-add", NULL,
};

static int make(const char *c, buf *m)
{
    if (!strcmp(c, "nest-block")) nest(m, 0x02, 0);
    else if (!strcmp(c, "nest-loop")) nest(m, 0x03, 0);
    else if (!strcmp(c, "nest-if")) nest(m, 0x04, 0);
    else if (!strcmp(c, "nest-br")) nest(m, 0x02, 1);
    else if (!strcmp(c, "locals-1m")) locals(m, 1, 1000000);
    else if (!strcmp(c, "locals-1m-groups")) locals(m, 1000000, 1);
    else if (!strcmp(c, "locals-4g")) locals(m, 2, 0xffffffffu);
    else if (!strcmp(c, "count-types")) huge_count(m, 1);
    else if (!strcmp(c, "count-imports")) huge_count(m, 2);
    else if (!strcmp(c, "count-funcs")) huge_count(m, 3);
    else if (!strcmp(c, "count-exports")) huge_count(m, 7);
    else if (!strcmp(c, "count-code")) huge_count(m, 10);
    else if (!strcmp(c, "count-data")) huge_count(m, 11);
    else if (!strcmp(c, "data-1g-declared"))
        data(m, 16384, 0, 16, 1u << 30, 0);
    else if (!strcmp(c, "data-1g-memory"))
        data(m, 16384, (1u << 30) - 16, 16, 16, (1u << 30) - 16);
    else if (!strcmp(c, "data-4g-memory"))
        data(m, 65536, 0xfffffff0u, 16, 16, 0xfffffff0u);
    else if (!strcmp(c, "data-16m"))
        data(m, 512, 4096, 16u << 20, 16u << 20, 4096);
    else if (!strcmp(c, "imports-10k"))
        imports(m, 10000, "wasi_snapshot_preview1", "sched_yield");
    else if (!strcmp(c, "imports-10k-unknown"))
        imports(m, 10000, "env", "f%u");
    else if (!strcmp(c, "calls-100k")) call_chain(m, 100000);
    else if (!strcmp(c, "recursion")) recursion(m);
    else if (!strcmp(c, "operands-1m")) operands(m);
    else if (!strcmp(c, "br-table-1m")) br_table(m);
    else if (!strcmp(c, "table-10m")) big_table(m);
    else if (!strcmp(c, "wat-nest-block")) wat_nest(m, 0);
    else if (!strcmp(c, "wat-nest-add")) wat_nest(m, 1);
    else return 0;
    return 1;
}

static int run(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return 2;
    if (WIFSIGNALED(status))
        printf("signal %d rss %ld\n", WTERMSIG(status), ru.ru_maxrss);
    else
        printf("exit %d rss %ld\n", WEXITSTATUS(status), ru.ru_maxrss);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (int i = 0; cases[i]; i++)
            printf("%s\n", cases[i]);
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "exec"))
        return run(argv + 2);
    buf m = {0};
    if (argc != 3 || !make(argv[1], &m)) {
        fprintf(stderr, "usage: hostile_gen list | CASE FILE | exec CMD...\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(m.p, 1, m.n, f) != m.n || fclose(f) != 0) {
        fprintf(stderr, "hostile_gen: cannot write %s\n", argv[2]);
        return 2;
    }
    free(m.p);
    return 0;
}
