/* Decoding a component binary: the preamble, then each section's entries
 * as items of the component (types are in cm_decode_types.c). Every
 * count is checked against the bytes left before anything is allocated
 * and every read is bounds-checked by the core decoder's reader. */
#include "cm_decode.h"

#include <string.h>

static const uint8_t preamble[8] = {0x00, 0x61, 0x73, 0x6d,
                                    0x0d, 0x00, 0x01, 0x00};

bool cm_is_component(const uint8_t *bytes, size_t len)
{
    return bytes && len >= 8 && memcmp(bytes, preamble, 8) == 0;
}

/* ---- pools ------------------------------------------------------------- */

typedef struct pool_block {
    struct pool_block *next;
    uint64_t pad;               /* keeps the payload 16-byte aligned */
} pool_block;

void *cd_pool_alloc(cd_pool *p, size_t n)
{
    if (n > SIZE_MAX - sizeof(pool_block))
        return NULL;
    pool_block *b = mem_calloc(p->o, p->cat, 1, sizeof *b + n);
    if (!b)
        return NULL;
    b->next = p->head;
    p->head = b;
    return b + 1;
}

void *cd_pool_array(cd_pool *p, uint32_t count, size_t elem)
{
    if (elem && count > SIZE_MAX / elem)
        return NULL;
    return cd_pool_alloc(p, (size_t)count * elem);
}

void cd_pool_free(cd_pool *p)
{
    pool_block *b = p->head;
    while (b) {
        pool_block *next = b->next;
        mem_free(p->o, p->cat, b);
        b = next;
    }
    p->head = NULL;
}

/* ---- small readers ----------------------------------------------------- */

static bool oom(cd_ctx *cx)
{
    return err_set(cx->r->err, "component: out of memory");
}

bool cd_count(cd_ctx *cx, uint32_t min, uint32_t *n)
{
    if (!reader_u32(cx->r, n))
        return false;
    if (min && *n > reader_left(cx->r) / min)
        return err_set(cx->r->err, "component: count %u exceeds the section",
                       *n);
    return true;
}

bool cd_read_name(cd_ctx *cx, cd_name *out)
{
    const char *s;
    uint32_t len;
    if (!reader_name(cx->r, &s, &len))
        return false;
    char *copy = cd_pool_alloc(&cx->c->pool, (size_t)len + 1);
    if (!copy)
        return oom(cx);
    memcpy(copy, s, len);
    out->s = copy;
    out->len = len;
    return true;
}

/* importname' / exportname': 0x00 (a kebab name) or 0x01 (an interface
 * id, with its version suffix as written), then the name. */
bool cd_read_extname(cd_ctx *cx, cd_name *out)
{
    uint8_t b;
    if (!reader_u8(cx->r, &b))
        return false;
    if (b > 0x01)
        return err_set(cx->r->err, "component: bad extern name 0x%02x", b);
    return cd_read_name(cx, out);
}

static bool core_sort_ok(uint8_t b)
{
    return b <= 0x03 || (b >= 0x10 && b <= 0x12);
}

static bool read_core_sort(cd_ctx *cx, uint32_t *sort)
{
    uint8_t b;
    if (!reader_u8(cx->r, &b))
        return false;
    if (!core_sort_ok(b))
        return err_set(cx->r->err, "component: bad core sort 0x%02x", b);
    *sort = CD_CORE + b;
    return true;
}

bool cd_read_sort(cd_ctx *cx, uint32_t *sort)
{
    uint8_t b;
    if (!reader_u8(cx->r, &b))
        return false;
    if (b == 0x00)
        return read_core_sort(cx, sort);
    if (b > CD_INSTANCE)
        return err_set(cx->r->err, "component: bad sort 0x%02x", b);
    if (b == CD_VALUE)
        return err_set(cx->r->err, "component: unsupported value sort");
    *sort = b;
    return true;
}

static bool read_sortidx(cd_ctx *cx, cd_sortidx *out)
{
    return cd_read_sort(cx, &out->sort) && reader_u32(cx->r, &out->idx);
}

bool cd_read_alias(cd_ctx *cx, cd_alias *out)
{
    reader *r = cx->r;
    memset(out, 0, sizeof *out);
    if (!cd_read_sort(cx, &out->sort) || !reader_u8(r, &out->target))
        return false;
    switch (out->target) {
    case 0x00:
        return reader_u32(r, &out->inst) && cd_read_name(cx, &out->name);
    case 0x01:
        return reader_u32(r, &out->inst) && cd_read_name(cx, &out->name);
    case 0x02:
        return reader_u32(r, &out->count) && reader_u32(r, &out->idx);
    default:
        return err_set(r->err, "component: bad alias target 0x%02x",
                       out->target);
    }
}

bool cd_extern_desc(cd_ctx *cx, cd_extern *out)
{
    reader *r = cx->r;
    uint8_t b;
    memset(out, 0, sizeof *out);
    if (!reader_u8(r, &b))
        return false;
    switch (b) {
    case 0x00:
        if (!reader_u8(r, &b))
            return false;
        if (b != 0x11)
            return err_set(r->err, "component: bad core extern 0x%02x", b);
        out->sort = CD_CORE_MODULE;
        return reader_u32(r, &out->idx);
    case CD_FUNC: case CD_COMPONENT: case CD_INSTANCE:
        out->sort = b;
        return reader_u32(r, &out->idx);
    case CD_TYPE:
        out->sort = CD_TYPE;
        if (!reader_u8(r, &b))
            return false;
        if (b == 0x01) {
            out->sub_resource = true;
            return true;
        }
        if (b != 0x00)
            return err_set(r->err, "component: bad type bound 0x%02x", b);
        return reader_u32(r, &out->idx);
    case CD_VALUE:
        return err_set(r->err, "component: unsupported value import or "
                       "export");
    default:
        return err_set(r->err, "component: bad extern kind 0x%02x", b);
    }
}

/* ---- items ------------------------------------------------------------- */

static cd_item *new_item(cd_ctx *cx, cd_comp *comp, cd_item_kind kind)
{
    if (comp->nitems == comp->cap) {
        uint32_t cap = comp->cap ? comp->cap * 2 : 16;
        if (cap < comp->cap) {
            oom(cx);
            return NULL;
        }
        cd_item *items = cd_pool_array(&cx->c->pool, cap, sizeof *items);
        if (!items) {
            oom(cx);
            return NULL;
        }
        if (comp->nitems)
            memcpy(items, comp->items, comp->nitems * sizeof *items);
        comp->items = items;   /* the old block stays in the pool */
        comp->cap = cap;
    }
    cd_item *it = &comp->items[comp->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

static bool read_args(cd_ctx *cx, cd_item *it, bool core, bool extname)
{
    if (!cd_count(cx, 3, &it->nargs))
        return false;
    it->args = cd_pool_array(&cx->c->pool, it->nargs, sizeof *it->args);
    if (!it->args && it->nargs)
        return oom(cx);
    for (uint32_t i = 0; i < it->nargs; i++) {
        cd_arg *a = &it->args[i];
        bool ok = extname ? cd_read_extname(cx, &a->name)
                          : cd_read_name(cx, &a->name);
        if (!ok)
            return false;
        if (core && !it->inline_exports) {
            uint8_t b;
            if (!reader_u8(cx->r, &b))
                return false;
            if (b != 0x12)
                return err_set(cx->r->err, "component: core instantiate "
                               "argument must be an instance");
            a->what.sort = CD_CORE_INSTANCE;
            if (!reader_u32(cx->r, &a->what.idx))
                return false;
        } else if (core) {
            if (!read_core_sort(cx, &a->what.sort) ||
                !reader_u32(cx->r, &a->what.idx))
                return false;
        } else if (!read_sortidx(cx, &a->what)) {
            return false;
        }
    }
    return true;
}

static bool core_instance(cd_ctx *cx, cd_comp *comp)
{
    uint8_t b;
    cd_item *it = new_item(cx, comp, CD_I_CORE_INSTANCE);
    if (!it || !reader_u8(cx->r, &b))
        return false;
    if (b == 0x00) {
        if (!reader_u32(cx->r, &it->idx))
            return false;
    } else if (b == 0x01) {
        it->inline_exports = true;
    } else {
        return err_set(cx->r->err, "component: bad core instance 0x%02x", b);
    }
    return read_args(cx, it, true, false);
}

static bool instance(cd_ctx *cx, cd_comp *comp)
{
    uint8_t b;
    cd_item *it = new_item(cx, comp, CD_I_INSTANCE);
    if (!it || !reader_u8(cx->r, &b))
        return false;
    if (b == 0x00) {
        if (!reader_u32(cx->r, &it->idx))
            return false;
        return read_args(cx, it, false, false);
    }
    if (b != 0x01)
        return err_set(cx->r->err, "component: bad instance 0x%02x", b);
    it->inline_exports = true;
    return read_args(cx, it, false, true);
}

static bool alias(cd_ctx *cx, cd_comp *comp)
{
    cd_item *it = new_item(cx, comp, CD_I_ALIAS);
    return it && cd_read_alias(cx, &it->alias);
}

static bool type(cd_ctx *cx, cd_comp *comp)
{
    cd_item *it = new_item(cx, comp, CD_I_TYPE);
    return it && cd_type_def(cx, &it->type);
}

static bool canon_opts(cd_ctx *cx, cd_opts *o)
{
    reader *r = cx->r;
    uint32_t n;
    if (!cd_count(cx, 1, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b;
        if (!reader_u8(r, &b))
            return false;
        switch (b) {
        case 0x00:
            break;
        case 0x01: case 0x02:
            return err_set(r->err, "component: unsupported string encoding "
                           "%s (only utf8)", b == 1 ? "utf16" : "latin1+utf16");
        case 0x03:
            o->has_memory = true;
            if (!reader_u32(r, &o->memory))
                return false;
            break;
        case 0x04:
            o->has_realloc = true;
            if (!reader_u32(r, &o->realloc))
                return false;
            break;
        case 0x05:
            o->has_post_return = true;
            if (!reader_u32(r, &o->post_return))
                return false;
            break;
        case 0x06: case 0x07:
            return err_set(r->err, "component: unsupported canon option "
                           "(async)");
        default:
            return err_set(r->err, "component: bad canon option 0x%02x", b);
        }
    }
    return true;
}

static bool canon(cd_ctx *cx, cd_comp *comp)
{
    reader *r = cx->r;
    uint8_t b, zero;
    cd_item *it = new_item(cx, comp, CD_I_CANON);
    if (!it || !reader_u8(r, &b))
        return false;
    switch (b) {
    case 0x00: case 0x01:
        if (!reader_u8(r, &zero))
            return false;
        if (zero != 0x00)
            return err_set(r->err, "component: bad canon 0x%02x 0x%02x",
                           b, zero);
        it->canon = b == 0x00 ? CD_CANON_LIFT : CD_CANON_LOWER;
        if (!reader_u32(r, &it->idx) || !canon_opts(cx, &it->opts))
            return false;
        return b == 0x01 || reader_u32(r, &it->type_idx);
    case 0x02: case 0x03: case 0x04:
        it->canon = b == 0x02 ? CD_CANON_RNEW
                  : b == 0x03 ? CD_CANON_RDROP : CD_CANON_RREP;
        return reader_u32(r, &it->idx);
    default:
        return err_set(r->err, "component: unsupported canon 0x%02x "
                       "(async, threads and the like)", b);
    }
}

static bool import(cd_ctx *cx, cd_comp *comp)
{
    cd_item *it = new_item(cx, comp, CD_I_IMPORT);
    return it && cd_read_extname(cx, &it->name) &&
           cd_extern_desc(cx, &it->ext);
}

static bool export(cd_ctx *cx, cd_comp *comp)
{
    uint8_t b;
    cd_item *it = new_item(cx, comp, CD_I_EXPORT);
    if (!it || !cd_read_extname(cx, &it->name) ||
        !read_sortidx(cx, &it->what) || !reader_u8(cx->r, &b))
        return false;
    if (b > 0x01)
        return err_set(cx->r->err, "component: bad export type flag 0x%02x",
                       b);
    it->has_ext = b == 0x01;
    return !it->has_ext || cd_extern_desc(cx, &it->ext);
}

/* ---- sections ---------------------------------------------------------- */

static bool core_module(cd_ctx *cx, cd_comp *comp, const uint8_t *p,
                        size_t n)
{
    cm_component *c = cx->c;
    if (c->nmodules == c->cap_modules) {
        size_t cap = c->cap_modules ? c->cap_modules * 2 : 8;
        rt_module **mods = cd_pool_array(&c->pool, (uint32_t)cap,
                                         sizeof *mods);
        if (!mods || cap > UINT32_MAX)
            return oom(cx);
        if (c->nmodules)
            memcpy(mods, c->modules, c->nmodules * sizeof *mods);
        c->modules = mods;
        c->cap_modules = cap;
    }
    err_t merr;
    err_clear(&merr);
    rt_module *m = rt_module_new(c->engine, p, n, &merr);
    if (!m)
        return err_set(cx->r->err, "component: core module: %s", merr.msg);
    c->modules[c->nmodules++] = m;
    cd_item *it = new_item(cx, comp, CD_I_CORE_MODULE);
    if (!it)
        return false;
    it->module = m;
    return true;
}

static bool nested(cd_ctx *cx, cd_comp *comp, const uint8_t *p, size_t n)
{
    cd_item *it = new_item(cx, comp, CD_I_COMPONENT);
    if (!it)
        return false;
    it->comp = cd_pool_alloc(&cx->c->pool, sizeof *it->comp);
    if (!it->comp)
        return oom(cx);
    if (++cx->depth > CD_MAX_DEPTH)
        return err_set(cx->r->err, "component: nesting too deep");
    reader *outer = cx->r, inner;
    reader_init(&inner, p, n, outer->base, outer->err);
    cx->r = &inner;
    bool ok = cd_component_body(cx, it->comp);
    cx->r = outer;
    cx->depth--;
    return ok;
}

typedef bool (*entry_fn)(cd_ctx *, cd_comp *);

static bool entries(cd_ctx *cx, cd_comp *comp, entry_fn fn, uint32_t min)
{
    uint32_t n;
    if (!cd_count(cx, min, &n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!fn(cx, comp))
            return false;
    return true;
}

static bool core_types(cd_ctx *cx, cd_comp *comp)
{
    (void)comp;   /* nothing the linker needs: core types are skipped */
    return cd_core_type_skip(cx);
}

static bool section(cd_ctx *cx, cd_comp *comp, uint8_t id,
                    const uint8_t *p, size_t n)
{
    switch (id) {
    case 0: return true;                            /* custom */
    case 1: return core_module(cx, comp, p, n);
    case 2: return entries(cx, comp, core_instance, 2);
    case 3: return entries(cx, comp, core_types, 1);
    case 4: return nested(cx, comp, p, n);
    case 5: return entries(cx, comp, instance, 2);
    case 6: return entries(cx, comp, alias, 3);
    case 7: return entries(cx, comp, type, 1);
    case 8: return entries(cx, comp, canon, 2);
    case 9: return err_set(cx->r->err, "component: unsupported start "
                           "section");
    case 10: return entries(cx, comp, import, 3);
    case 11: return entries(cx, comp, export, 4);
    case 12: return err_set(cx->r->err, "component: unsupported value "
                            "section");
    default:
        return err_set(cx->r->err, "component: unknown section id %u", id);
    }
}

/* One component: the preamble, then sections to the reader's end. */
bool cd_component_body(cd_ctx *cx, cd_comp *out)
{
    reader *r = cx->r;
    const uint8_t *pre;
    if (!reader_bytes(r, 8, &pre))
        return false;
    if (!cm_is_component(pre, 8))
        return err_set(r->err, "component: bad preamble (not a component "
                       "of version 0x0d, layer 1)");
    while (!reader_eof(r)) {
        uint8_t id;
        uint32_t size;
        const uint8_t *body;
        if (!reader_u8(r, &id) || !reader_u32(r, &size) ||
            !reader_bytes(r, size, &body))
            return false;
        reader *outer = r, sec;
        reader_init(&sec, body, size, outer->base, outer->err);
        cx->r = &sec;
        bool ok = section(cx, out, id, body, size);
        if (ok && id != 1 && id != 4 && id != 0 && !reader_eof(&sec))
            ok = err_set(sec.err, "component: section %u size mismatch", id);
        cx->r = outer;
        if (!ok)
            return false;
    }
    return true;
}

/* ---- the component ----------------------------------------------------- */

void cm_component_free(cm_component *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nmodules; i++)
        rt_module_release(c->modules[i]);
    cd_pool_free(&c->pool);
    mem_owner_destroy(&c->mem);
    mem_free(&c->engine->mem, MEM_MODULE, c);
}

cm_component *cm_component_new(rt_engine *e, const uint8_t *bytes,
                               size_t len, err_t *err)
{
    if (!cm_is_component(bytes, len)) {
        err_set(err, "component: not a component (bad preamble)");
        return NULL;
    }
    cm_component *c = mem_calloc(&e->mem, MEM_MODULE, 1, sizeof *c);
    if (!c) {
        err_set(err, "component: out of memory");
        return NULL;
    }
    mem_owner_init_arena(&c->mem, MEM_OWNER_MODULE, &e->config.alloc);
    c->engine = e;
    c->pool.o = &c->mem;
    c->pool.cat = MEM_MODULE;
    err_t derr;
    err_clear(&derr);
    reader r;
    reader_init(&r, bytes, len, bytes, &derr);
    cd_ctx cx = {.c = c, .r = &r, .depth = 0};
    c->top = cd_pool_alloc(&c->pool, sizeof *c->top);
    bool ok = c->top ? cd_component_body(&cx, c->top)
                     : err_set(&derr, "component: out of memory");
    if (!ok) {
        if (strncmp(derr.msg, "component:", 10) == 0)
            err_set(err, "%s", derr.msg);
        else
            err_set(err, "component: %s", derr.msg);
        cm_component_free(c);
        return NULL;
    }
    return c;
}
