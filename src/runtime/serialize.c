/* Serialized modules: a module's binary together with its translated code,
 * so that loading it again skips validation and translation.
 *
 * The internal code holds handler addresses (code.h), which differ between
 * processes; the serialized form replaces each by its op number and the
 * loader puts the handler back. call_indirect's engine-wide type id is
 * stored as the module's type index and mapped to the loading engine's id.
 * Everything else in the code is position-independent.
 *
 * Layout (integers in the writer's byte order, which the header records):
 *
 *   header   magic[8] version build config reserved   (u32 each after magic)
 *            payload_len checksum                      (u64 each)
 *   payload  wasm_len (u64) wasm bytes
 *            ndefined (u32), then per defined function:
 *            code_len nparams nresults nlocals frame_size nsites (u32 each)
 *            code words, then nsites pairs of words
 *
 * Integrity: the checksum covers the payload, so flipped or cut bytes are
 * reported before any of it is used; the loader also checks every count
 * against what is left, every op number, instruction boundary, branch
 * target, function and type index. Artifacts are trusted not to be
 * crafted maliciously beyond that (the operands' frame slots are not
 * re-validated), like the compiled artifacts of other runtimes. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "../interp/code.h"

#define SER_VERSION 1u
#define SER_HEADER 40u
static const uint8_t ser_magic[8] = {0x7f, 'E', 'B', 'B', 'C', 'O', 'D', 'E'};

/* ---- the internal instruction set's shape ---------------------------------- */

/* Operand words of the hand-written instructions (iops.def), by name so
 * that an instruction added there without a line here makes modules that
 * use it unserializable ("unknown instruction"), not the build fail.
 * BR_TABLE's count is its fixed part (its offsets follow). */
static const struct {
    const char *name;
    uint8_t n;
} hand_written[] = {
    {"UNREACHABLE", 0}, {"JMP", 1}, {"BR_NEZ", 2}, {"BR_EQZ", 2},
    {"BR_NEZ64", 2}, {"BR_EQZ64", 2},
    {"BR_TABLE", 2}, {"RET0", 0}, {"RET1", 1}, {"RETN", 2}, {"CALL", 2},
    {"CALL_INDIRECT", 4}, {"FUEL", 0}, {"EPOCH", 0}, {"COPY", 2}, {"COPY2", 4}, {"CONST32", 2}, {"CONST64", 3},
    {"SELECT", 4}, {"GLOBAL_GET", 2}, {"GLOBAL_SET", 2}, {"REF_FUNC", 2},
    {"MEMORY_SIZE", 1}, {"MEMORY_GROW", 2}, {"MEMORY_INIT", 4},
    {"DATA_DROP", 1}, {"MEMORY_COPY", 3}, {"MEMORY_FILL", 3},
    {"TABLE_GET", 3}, {"TABLE_SET", 3}, {"TABLE_SIZE", 2},
    {"TABLE_GROW", 4}, {"TABLE_FILL", 4}, {"TABLE_COPY", 5},
    {"TABLE_INIT", 5}, {"ELEM_DROP", 1},
};
#define NOPD_UNKNOWN 0xff
#define NIMM_I32 1
#define NIMM_F32 1
#define NIMM_I64 2
#define NIMM_F64 2

/* The generated instructions' counts (each load and store W has a
 * checked form W and a guard-page form W_G; SIMD lines give their kind);
 * hand-written ones start unknown. These expansions mirror code.h's enum. */
static const uint8_t iop_nopd_generated[IOP_COUNT] = {
#define IOP(n) [IOP_##n] = NOPD_UNKNOWN,
#define BINOP(w, tx, tr, ...) [IOP_##w##_SS] = 3, [IOP_##w##_SI] = 2 + NIMM_##tx,
#define CMP(w, tx, cond) BINOP(w, tx, I32, _) \
    [IOP_BRT_##w##_SS] = 3, [IOP_BRT_##w##_SI] = 2 + NIMM_##tx, \
    [IOP_BRF_##w##_SS] = 3, [IOP_BRF_##w##_SI] = 2 + NIMM_##tx,
#define UNOP(w, tx, tr, ...) [IOP_##w] = 2,
#define LOAD(w, ct, conv) [IOP_##w] = 3, [IOP_##w##_G] = 3, \
    [IOP_##w##_K] = 4, [IOP_##w##_KG] = 4, [IOP_##w##_X] = 4, [IOP_##w##_XG] = 4, \
    [IOP_##w##_SC] = 5, [IOP_##w##_SCG] = 5,
#define STORE(w, ct) [IOP_##w] = 3, [IOP_##w##_G] = 3, \
    [IOP_##w##_K] = 4, [IOP_##w##_KG] = 4, [IOP_##w##_X] = 4, [IOP_##w##_XG] = 4, \
    [IOP_##w##_SC] = 5, [IOP_##w##_SCG] = 5,
#define PAIR(a, b) [IOP_##a##__##b] = 8,
#define PAIRB(a, b) [IOP_##a##__##b] = 8,
#define SIMD_OP(n, kind, ...) [IOP_##n] = SIMD_NOPD_##kind,
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIR
#undef PAIRB
#undef SIMD_OP
#undef CMP
};

/* The operand index of the offset of each compare-and-branch and each
 * pair with a branch (0: none). */
static const uint8_t iop_cmp_branch_at[IOP_COUNT] = {
#define IOP(n)
#define BINOP(w, tx, tr, ...)
#define CMP(w, tx, cond)                                          \
    [IOP_BRT_##w##_SS] = 2, [IOP_BRT_##w##_SI] = 1 + NIMM_##tx,   \
    [IOP_BRF_##w##_SS] = 2, [IOP_BRF_##w##_SI] = 1 + NIMM_##tx,
#define UNOP(w, tx, tr, ...)
#define LOAD(w, ct, conv)
#define STORE(w, ct)
#define PAIRB(a, b) [IOP_##a##__##b] = 7,
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef CMP
#undef UNOP
#undef LOAD
#undef STORE
#undef PAIRB
};

static const char *const iop_name[IOP_COUNT] = {
#define IOP(n) [IOP_##n] = #n,
#define BINOP(w, tx, tr, ...) [IOP_##w##_SS] = #w "_SS", [IOP_##w##_SI] = #w "_SI",
#define UNOP(w, tx, tr, ...) [IOP_##w] = #w,
#define LOAD(w, ct, conv) [IOP_##w] = #w, [IOP_##w##_G] = #w "_G", \
    [IOP_##w##_K] = #w "_K", [IOP_##w##_KG] = #w "_KG", \
    [IOP_##w##_X] = #w "_X", [IOP_##w##_XG] = #w "_XG", \
    [IOP_##w##_SC] = #w "_SC", [IOP_##w##_SCG] = #w "_SCG",
#define STORE(w, ct) [IOP_##w] = #w, [IOP_##w##_G] = #w "_G", \
    [IOP_##w##_K] = #w "_K", [IOP_##w##_KG] = #w "_KG", \
    [IOP_##w##_X] = #w "_X", [IOP_##w##_XG] = #w "_XG", \
    [IOP_##w##_SC] = #w "_SC", [IOP_##w##_SCG] = #w "_SCG",
#include "../interp/iops.def"
#undef IOP
#undef BINOP
#undef UNOP
#undef LOAD
#undef STORE
};

static uint8_t iop_nopd[IOP_COUNT];
static uint32_t build_print;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t build_fingerprint_compute(void);

static void init_tables(void)
{
    memcpy(iop_nopd, iop_nopd_generated, sizeof iop_nopd);
    for (int op = 0; op < IOP_COUNT; op++)
        for (size_t k = 0; k < sizeof hand_written / sizeof *hand_written;
             k++)
            if (iop_nopd[op] == NOPD_UNKNOWN && iop_name[op] &&
                !strcmp(iop_name[op], hand_written[k].name))
                iop_nopd[op] = hand_written[k].n;
    build_print = build_fingerprint_compute();
}

/* ---- hashing --------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
    return h ^ (h >> 31);
}

/* A fast 64-bit checksum (8 bytes a step): it detects corruption, it is
 * not meant to resist forgery. */
uint64_t rt_serialize_checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0x6a09e667f3bcc908u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = mix(h, w);
    }
    uint64_t tail = 0;
    memcpy(&tail, p + i, n - i);
    return mix(mix(h, tail), n);
}

/* Every op's name and operand count, the cell and pointer sizes and the
 * byte order: a different instruction set in the loading build changes
 * it, so old code is refused, never misread. */
static uint32_t build_fingerprint_compute(void)
{
    uint16_t order = 0x0102;
    uint8_t first;
    memcpy(&first, &order, 1);
    uint64_t h = 0x13198a2e03707344u;
    for (int op = 0; op < IOP_COUNT; op++) {
        const char *name = iop_name[op] ? iop_name[op] : "?";
        h = mix(h, rt_serialize_checksum((const uint8_t *)name,
                                         strlen(name)) ^
                       iop_nopd[op]);
    }
    h = mix(h, (uint64_t)sizeof(void *) << 8 | first);
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t build_fingerprint(void)
{
    pthread_once(&tables_once, init_tables);
    return build_print;
}

/* The engine settings the translated code depends on: loads and stores
 * with a static offset below e->unchecked_offsets were translated without
 * a bounds check (signals-based traps, reservation and guard decide it),
 * so code is only valid in an engine that made the same choice. Compile
 * threads and the allocator do not matter. */
static uint32_t config_fingerprint(const rt_engine *e)
{
    uint64_t h = mix(0x243f6a8885a308d3u, sizeof(uint64_t));
    h = mix(h, RT_PAGE_SIZE);
    h = mix(h, e->unchecked_offsets);
    /* Fuel and epoch checks are in the code or not (compile_opts). */
    h = mix(h, (uint64_t)e->config.consume_fuel |
                   (uint64_t)e->config.epoch_interruption << 1);
    return (uint32_t)(h ^ (h >> 32));
}

/* ---- writing --------------------------------------------------------------- */

typedef struct wbuf {
    uint8_t *p;     /* NULL while only measuring */
    size_t at;
} wbuf;

static void put_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->p && n)
        memcpy(w->p + w->at, src, n);
    w->at += n;
}

static void put32(wbuf *w, uint32_t v) { put_bytes(w, &v, 4); }
static void put64(wbuf *w, uint64_t v) { put_bytes(w, &v, 8); }

/* Handler word -> op, by binary search in a table sorted once per
 * serialization (handler words are distinct). */
typedef struct handler_op {
    uint64_t h;
    uint32_t op;
} handler_op;

static int cmp_handler(const void *a, const void *b)
{
    uint64_t x = ((const handler_op *)a)->h, y = ((const handler_op *)b)->h;
    return x < y ? -1 : x > y;
}

static void sort_handlers(handler_op *t)
{
    for (int op = 0; op < IOP_COUNT; op++)
        t[op] = (handler_op){interp_handler_word((iop)op), (uint32_t)op};
    qsort(t, IOP_COUNT, sizeof *t, cmp_handler);
}

static bool op_of_handler(const handler_op *t, uint64_t h, iop *out)
{
    handler_op key = {h, 0};
    const handler_op *hit = bsearch(&key, t, IOP_COUNT, sizeof *t,
                                    cmp_handler);
    if (!hit)
        return false;
    *out = (iop)hit->op;
    return true;
}

/* The module's first type index with engine id `id`. */
static uint32_t type_index_of(const rt_module *m, uint32_t id)
{
    for (uint32_t i = 0; i < m->desc.ntypes; i++)
        if (m->type_ids[i] == id)
            return i;
    return UINT32_MAX;
}

/* Instruction length in words, or 0 when it does not fit in [at, len). */
static uint32_t instr_len(iop op, const uint32_t *code, uint32_t at,
                          uint32_t len)
{
    uint64_t n = iop_nopd[op];
    if (n == NOPD_UNKNOWN)
        return 0;
    if (op == IOP_BR_TABLE) {
        if ((uint64_t)at + 4 > len)
            return 0;
        n += code[at + 3];
    }
    uint64_t words = 2 + ((n + 1) & ~(uint64_t)1);
    return (uint64_t)at + words <= len ? (uint32_t)words : 0;
}

/* Appends f's code with handler words as op numbers. */
static bool put_code(wbuf *w, const rt_module *m, const compiled_func *f,
                     const handler_op *handlers)
{
    for (uint32_t at = 0; at < f->code_len;) {
        uint64_t h = (uint64_t)f->code[at] | (uint64_t)f->code[at + 1] << 32;
        iop op;
        if (!op_of_handler(handlers, h, &op))
            return false;
        uint32_t len = instr_len(op, f->code, at, f->code_len);
        if (!len)
            return false;
        put32(w, (uint32_t)op);
        put32(w, 0);
        for (uint32_t i = 2; i < len; i++) {
            uint32_t v = f->code[at + i];
            if (op == IOP_CALL_INDIRECT && i == 2)
                v = type_index_of(m, v);
            put32(w, v);
        }
        at += len;
    }
    return true;
}

/* A LEB128 u32 at b[*at], bounded by len; false when malformed. */
static bool leb_u32(const uint8_t *b, size_t len, size_t *at, uint32_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*at >= len)
            return false;
        uint8_t byte = b[(*at)++];
        *v |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

/* Appends the binary without the custom sections that follow its last
 * standard section, except "name" (backtraces use it). ebb reads no other
 * custom section, and debug information is often most of a binary, so
 * this keeps loading fast. Offsets of everything kept stay the same. */
static void put_binary(wbuf *w, const uint8_t *b, size_t len)
{
    size_t at = 8, last_std = 8, secs[64][2], nsecs = 0;
    while (at < len) {
        size_t start = at;
        uint8_t id = b[at++];
        uint32_t size, nlen;
        if (!leb_u32(b, len, &at, &size) || size > len - at)
            break;
        size_t end = at + size;
        if (id != 0) {
            last_std = end;
            nsecs = 0;
        } else if (nsecs < 64) {
            size_t p = at;
            bool is_name = leb_u32(b, end, &p, &nlen) && nlen == 4 &&
                           nlen <= end - p && !memcmp(b + p, "name", 4);
            if (is_name) {
                secs[nsecs][0] = start;
                secs[nsecs++][1] = end;
            }
        }
        at = end;
    }
    if (at != len || nsecs == 64) { /* unexpected: keep it all */
        put64(w, len);
        put_bytes(w, b, len);
        return;
    }
    size_t kept = last_std;
    for (size_t i = 0; i < nsecs; i++)
        kept += secs[i][1] - secs[i][0];
    put64(w, kept);
    put_bytes(w, b, last_std);
    for (size_t i = 0; i < nsecs; i++)
        put_bytes(w, b + secs[i][0], secs[i][1] - secs[i][0]);
}

static bool put_module(wbuf *w, const rt_module *m)
{
    handler_op handlers[IOP_COUNT];
    pthread_once(&tables_once, init_tables);
    sort_handlers(handlers);
    uint32_t ndefined = m->desc.nfuncs - m->desc.nimported_funcs;
    put_binary(w, m->bytes, m->len);
    put32(w, ndefined);
    for (uint32_t i = 0; i < ndefined; i++) {
        const compiled_func *f = m->funcs[i];
        put32(w, f->code_len);
        put32(w, f->nparams);
        put32(w, f->nresults);
        put32(w, f->nlocals);
        put32(w, f->frame_size);
        put32(w, f->nsites);
        if (!put_code(w, m, f, handlers))
            return false;
        put_bytes(w, f->sites, (size_t)f->nsites * sizeof *f->sites);
    }
    return true;
}

size_t rt_module_serialized_size(const rt_module *m)
{
    wbuf w = {NULL, SER_HEADER};
    return put_module(&w, m) ? w.at : 0;
}

bool rt_module_serialize(const rt_module *m, uint8_t *out, size_t size,
                         err_t *err)
{
    if (size != rt_module_serialized_size(m) || size < SER_HEADER)
        return err_set(err, "serialize: buffer size does not match the "
                            "module's serialized size");
    wbuf w = {out, SER_HEADER};
    if (!put_module(&w, m))
        return err_set(err, "serialize: the code holds an instruction "
                            "serialization does not know");
    uint64_t payload = size - SER_HEADER;
    wbuf h = {out, 0};
    put_bytes(&h, ser_magic, sizeof ser_magic);
    put32(&h, SER_VERSION);
    put32(&h, build_fingerprint());
    put32(&h, config_fingerprint(m->engine));
    put32(&h, 0);
    put64(&h, payload);
    put64(&h, rt_serialize_checksum(out + SER_HEADER, payload));
    return true;
}

/* ---- reading --------------------------------------------------------------- */

bool rt_module_is_serialized(const uint8_t *bytes, size_t len)
{
    return bytes && len >= sizeof ser_magic &&
           memcmp(bytes, ser_magic, sizeof ser_magic) == 0;
}

typedef struct rbuf {
    const uint8_t *p;
    size_t at, len;
} rbuf;

static bool get_bytes(rbuf *r, void *dst, size_t n)
{
    if (n > r->len - r->at)
        return false;
    if (n)
        memcpy(dst, r->p + r->at, n);
    r->at += n;
    return true;
}

static bool get32(rbuf *r, uint32_t *v) { return get_bytes(r, v, 4); }
static bool get64(rbuf *r, uint64_t *v) { return get_bytes(r, v, 8); }

static bool check_header(const rt_engine *e, const uint8_t *bytes,
                         size_t len, err_t *err)
{
    rbuf r = {bytes, 0, len};
    uint8_t magic[8];
    uint32_t version, build, config, reserved;
    uint64_t payload, sum;
    if (!get_bytes(&r, magic, 8) || memcmp(magic, ser_magic, 8) != 0)
        return err_set(err, "deserialize: not a serialized ebb module");
    if (!get32(&r, &version) || !get32(&r, &build) || !get32(&r, &config) ||
        !get32(&r, &reserved) || !get64(&r, &payload) || !get64(&r, &sum))
        return err_set(err, "deserialize: truncated header");
    if (reserved != 0)
        return err_set(err, "deserialize: unknown flags in the header");
    if (version != SER_VERSION)
        return err_set(err, "deserialize: format version %u, this ebb "
                            "reads version %u", version, SER_VERSION);
    if (build != build_fingerprint())
        return err_set(err, "deserialize: made by an incompatible build "
                            "of ebb");
    if (config != config_fingerprint(e))
        return err_set(err, "deserialize: made with an incompatible engine "
                            "configuration (signals-based traps, memory "
                            "reservation or guard, fuel or epoch "
                            "interruption)");
    if (payload != len - SER_HEADER)
        return err_set(err, "deserialize: truncated or extended data "
                            "(%zu payload bytes, header says %llu)",
                       len - SER_HEADER, (unsigned long long)payload);
    if (rt_serialize_checksum(bytes + SER_HEADER, payload) != sum)
        return err_set(err, "deserialize: corrupted data (checksum "
                            "mismatch)");
    return true;
}

typedef struct loader {
    rt_module *m;
    uint64_t handlers[IOP_COUNT];
    uint8_t *starts;             /* instruction-start flags of one function */
    size_t starts_cap;
    err_t *err;
} loader;

/* Is `at + off` (off relative to word `at`) an instruction start? */
static bool branch_ok(const loader *l, uint32_t len, uint32_t at,
                      uint32_t off)
{
    int64_t to = (int64_t)at + (int32_t)off;
    return to >= 0 && to < len && l->starts[to];
}

/* Checks the indices one instruction refers to and relocates it. */
static bool relocate(loader *l, uint32_t *c, iop op)
{
    const module_desc *d = &l->m->desc;
    switch (op) {
    case IOP_CALL:
    case IOP_REF_FUNC:
        return c[op == IOP_CALL ? 2 : 3] < d->nfuncs;
    case IOP_CALL_INDIRECT:
        if (c[2] >= d->ntypes || c[3] >= d->ntables)
            return false;
        c[2] = l->m->type_ids[c[2]];
        return true;
    case IOP_GLOBAL_GET:
        return c[3] < d->nglobals;
    case IOP_GLOBAL_SET:
        return c[2] < d->nglobals;
    default:
        return true;
    }
}

/* The branch targets of the instruction at c (op numbers still in place). */
static bool branches_ok(const loader *l, const uint32_t *c, uint32_t at,
                        uint32_t len)
{
    switch ((iop)c[0]) {
    case IOP_JMP:
        return branch_ok(l, len, at + 2, c[2]);
    case IOP_BR_NEZ:
    case IOP_BR_EQZ:
    case IOP_BR_NEZ64:
    case IOP_BR_EQZ64:
        return branch_ok(l, len, at + 3, c[3]);
    case IOP_BR_TABLE:
        for (uint32_t i = 0; i < c[3]; i++)
            if (!branch_ok(l, len, at + 4 + i, c[4 + i]))
                return false;
        return c[3] > 0;
    default: {
        uint32_t k = iop_cmp_branch_at[c[0]];
        return k == 0 || branch_ok(l, len, at + 2 + k, c[2 + k]);
    }
    }
}

/* Checks one function's code and puts its handler words back: a first
 * pass finds the instruction starts, a second checks branch targets. */
static bool load_code(loader *l, compiled_func *f)
{
    uint32_t *code = f->code, len = f->code_len, n;
    if (!mem_grow_array(&l->m->mem, MEM_COMPILE, (void **)&l->starts,
                        &l->starts_cap, (size_t)len + 1, 1))
        return err_set(l->err, "out of memory");
    memset(l->starts, 0, len);
    for (uint32_t at = 0; at < len; at += n) {
        uint32_t op = code[at];
        if (op >= IOP_COUNT || code[at + 1] != 0 ||
            !(n = instr_len((iop)op, code, at, len)) ||
            !relocate(l, code + at, (iop)op))
            return err_set(l->err, "deserialize: malformed code in "
                                   "function %u", f->func_index);
        l->starts[at] = 1;
    }
    for (uint32_t at = 0; at < len; at += n) {
        uint32_t op = code[at];
        n = instr_len((iop)op, code, at, len);
        if (!branches_ok(l, code + at, at, len))
            return err_set(l->err, "deserialize: bad branch in function %u",
                           f->func_index);
        code[at] = (uint32_t)l->handlers[op];
        code[at + 1] = (uint32_t)(l->handlers[op] >> 32);
    }
    for (uint32_t i = 0; i < f->nsites; i++)
        if (f->sites[i][0] >= len || !l->starts[f->sites[i][0]])
            return err_set(l->err, "deserialize: bad trap site in function "
                                   "%u", f->func_index);
    return true;
}

static uint64_t local_cells(const code_desc *code)
{
    uint64_t c = 0;
    for (uint32_t g = 0; g < code->ngroups; g++)
        c += (uint64_t)code->groups[g].count *
             valtype_cells(code->groups[g].type);
    return c;
}

/* One function's record, checked against the module's description. */
static compiled_func *load_func(loader *l, rbuf *r, uint32_t defined)
{
    const module_desc *d = &l->m->desc;
    uint32_t fidx = d->nimported_funcs + defined;
    const functype *ft = module_func_type(d, fidx);
    uint32_t v[6];
    for (int i = 0; i < 6; i++)
        if (!get32(r, &v[i])) {
            err_set(l->err, "deserialize: truncated function %u", fidx);
            return NULL;
        }
    uint32_t len = v[0], nsites = v[5];
    if (v[1] != valtypes_cells(ft->types, ft->nparams) ||
        v[2] != valtypes_cells(ft->types + ft->nparams, ft->nresults) ||
        v[3] != local_cells(&d->codes[defined]) + COMPILE_EXTRA_CELLS ||
        v[4] < (uint64_t)v[1] + v[3] || v[4] < v[2] || v[4] == 0 ||
        len == 0 || (uint64_t)len * 4 > r->len - r->at ||
        (uint64_t)nsites * 8 > r->len - r->at - (uint64_t)len * 4) {
        err_set(l->err, "deserialize: function %u does not match the module",
                fidx);
        return NULL;
    }
    mem_owner *o = &l->m->mem;
    compiled_func *f = mem_calloc(o, MEM_CODE, 1, sizeof *f);
    if (!f) {
        err_set(l->err, "out of memory");
        return NULL;
    }
    *f = (compiled_func){.func_index = fidx, .nparams = v[1],
                         .nresults = v[2], .nlocals = v[3],
                         .frame_size = v[4], .code_len = len,
                         .nsites = nsites};
    f->code = mem_alloc(o, MEM_CODE, (size_t)len * 4);
    f->sites = mem_alloc(o, MEM_CODE, (size_t)nsites * 8);
    if (!f->code || !f->sites) {
        err_set(l->err, "out of memory");
    } else {
        get_bytes(r, f->code, (size_t)len * 4);
        get_bytes(r, f->sites, (size_t)nsites * 8);
        if (load_code(l, f))
            return f;
    }
    compiled_func_free(o, f);
    return NULL;
}

static bool load_module(loader *l, rbuf *r)
{
    rt_module *m = l->m;
    uint32_t ndefined;
    if (!get32(r, &ndefined) ||
        ndefined != m->desc.nfuncs - m->desc.nimported_funcs)
        return err_set(l->err, "deserialize: function count does not match "
                               "the module");
    m->funcs = mem_calloc(&m->mem, MEM_CODE, ndefined, sizeof *m->funcs);
    if (!m->funcs)
        return err_set(l->err, "out of memory");
    for (uint32_t i = 0; i < ndefined; i++)
        if (!(m->funcs[i] = load_func(l, r, i)))
            return false;
    if (r->at != r->len)
        return err_set(l->err, "deserialize: trailing bytes");
    return true;
}

rt_module *rt_module_deserialize(rt_engine *e, const uint8_t *bytes,
                                 size_t len, err_t *err)
{
    if (!bytes && len)
        len = 0;
    if (!check_header(e, bytes, len, err))
        return NULL;
    rbuf r = {bytes, SER_HEADER, len};
    uint64_t wasm_len;
    if (!get64(&r, &wasm_len) || wasm_len > r.len - r.at) {
        err_set(err, "deserialize: truncated module binary");
        return NULL;
    }
    /* Decoding the binary again is a small part of the cost of a module;
     * validation and translation are what loading skips. */
    rt_module *m = rt_module_begin(e, bytes + r.at, (size_t)wasm_len, err);
    if (!m)
        return NULL;
    r.at += (size_t)wasm_len;
    loader l = {.m = m, .err = err};
    for (int op = 0; op < IOP_COUNT; op++)
        l.handlers[op] = interp_handler_word((iop)op);
    bool ok = load_module(&l, &r);
    mem_free(&m->mem, MEM_COMPILE, l.starts);
    if (!ok) {
        rt_module_release(m);
        return NULL;
    }
    return m;
}
