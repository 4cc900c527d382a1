/* Decoding component types (type section entries and the declarations of
 * component and instance types) and skipping core types, which the
 * linker does not need: core instantiation is checked by the core
 * runtime against the modules' own imports. */
#include "cm_decode.h"

#include <string.h>

static bool oom(cd_ctx *cx)
{
    return err_set(cx->r->err, "component: out of memory");
}

/* ---- core types (skipped) ---------------------------------------------- */

static bool core_valtype(cd_ctx *cx)
{
    uint8_t b;
    if (!reader_u8(cx->r, &b))
        return false;
    if ((b >= 0x7b && b <= 0x7f) || b == 0x70 || b == 0x6f)
        return true;
    return err_set(cx->r->err, "component: unsupported core value type "
                   "0x%02x", b);
}

static bool core_valtypes(cd_ctx *cx)
{
    uint32_t n;
    if (!cd_count(cx, 1, &n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!core_valtype(cx))
            return false;
    return true;
}

static bool core_limits(cd_ctx *cx)
{
    uint8_t flags;
    uint64_t v;
    if (!reader_u8(cx->r, &flags))
        return false;
    if (flags > 0x07)
        return err_set(cx->r->err, "component: bad core limits 0x%02x",
                       flags);
    if (!reader_u64(cx->r, &v))
        return false;
    return !(flags & 1) || reader_u64(cx->r, &v);
}

static bool core_importdesc(cd_ctx *cx)
{
    uint8_t b, mut;
    uint32_t idx;
    if (!reader_u8(cx->r, &b))
        return false;
    switch (b) {
    case 0x00: return reader_u32(cx->r, &idx);
    case 0x01: return core_valtype(cx) && core_limits(cx);
    case 0x02: return core_limits(cx);
    case 0x03: return core_valtype(cx) && reader_u8(cx->r, &mut);
    default:
        return err_set(cx->r->err, "component: bad core import kind 0x%02x",
                       b);
    }
}

static bool core_name(cd_ctx *cx)
{
    const char *s;
    uint32_t len;
    return reader_name(cx->r, &s, &len);
}

static bool core_moduledecl(cd_ctx *cx)
{
    uint8_t b, sort, target;
    uint32_t ct, idx;
    if (!reader_u8(cx->r, &b))
        return false;
    switch (b) {
    case 0x00:
        return core_name(cx) && core_name(cx) && core_importdesc(cx);
    case 0x01:
        return cd_core_type_skip(cx);
    case 0x02:
        if (!reader_u8(cx->r, &sort) || !reader_u8(cx->r, &target))
            return false;
        if (target != 0x01)
            return err_set(cx->r->err, "component: bad core alias 0x%02x",
                           target);
        return reader_u32(cx->r, &ct) && reader_u32(cx->r, &idx);
    case 0x03:
        return core_name(cx) && core_importdesc(cx);
    default:
        return err_set(cx->r->err, "component: bad module declaration "
                       "0x%02x", b);
    }
}

bool cd_core_type_skip(cd_ctx *cx)
{
    uint8_t b;
    uint32_t n;
    if (!reader_u8(cx->r, &b))
        return false;
    if (b == 0x60)
        return core_valtypes(cx) && core_valtypes(cx);
    if (b != 0x50)
        return err_set(cx->r->err, "component: unsupported core type 0x%02x",
                       b);
    if (++cx->depth > CD_MAX_DEPTH)
        return err_set(cx->r->err, "component: nesting too deep");
    if (!cd_count(cx, 1, &n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!core_moduledecl(cx))
            return false;
    cx->depth--;
    return true;
}

/* ---- value types ------------------------------------------------------- */

static bool is_prim(uint8_t b)
{
    return b >= 0x73 && b <= 0x7f;
}

static bool valref(cd_ctx *cx, cd_valref *out)
{
    reader *r = cx->r;
    memset(out, 0, sizeof *out);
    if (reader_eof(r))
        return reader_u8(r, &out->prim);   /* the "unexpected end" error */
    uint8_t b = *r->p;
    if (b >= 0x40 && b < 0x80) {       /* a negative one-byte s33 */
        r->p++;
        if (!is_prim(b))
            return err_set(r->err, "component: unsupported value type "
                           "0x%02x", b);
        out->prim = b;
        return true;
    }
    return reader_u32(r, &out->idx);
}

static bool opt_valref(cd_ctx *cx, bool *has, cd_valref *out)
{
    uint8_t b;
    if (!reader_u8(cx->r, &b))
        return false;
    if (b > 0x01)
        return err_set(cx->r->err, "component: bad option flag 0x%02x", b);
    *has = b == 0x01;
    return !*has || valref(cx, out);
}

static cd_named *named_array(cd_ctx *cx, cd_type *t, uint32_t min)
{
    if (!cd_count(cx, min, &t->n))
        return NULL;
    t->fields = cd_pool_array(&cx->c->pool, t->n ? t->n : 1,
                              sizeof *t->fields);
    if (!t->fields)
        oom(cx);
    return t->fields;
}

static bool record(cd_ctx *cx, cd_type *t)
{
    if (!named_array(cx, t, 2))
        return false;
    for (uint32_t i = 0; i < t->n; i++) {
        t->fields[i].has_type = true;
        if (!cd_read_name(cx, &t->fields[i].name) ||
            !valref(cx, &t->fields[i].type))
            return false;
    }
    return true;
}

static bool variant(cd_ctx *cx, cd_type *t)
{
    if (!named_array(cx, t, 3))
        return false;
    for (uint32_t i = 0; i < t->n; i++) {
        cd_named *f = &t->fields[i];
        uint8_t refines;
        if (!cd_read_name(cx, &f->name) ||
            !opt_valref(cx, &f->has_type, &f->type) ||
            !reader_u8(cx->r, &refines))
            return false;
        if (refines != 0x00)
            return err_set(cx->r->err, "component: unsupported variant case "
                           "refinement");
    }
    return true;
}

static bool tuple(cd_ctx *cx, cd_type *t)
{
    if (!named_array(cx, t, 1))
        return false;
    for (uint32_t i = 0; i < t->n; i++) {
        t->fields[i].has_type = true;
        if (!valref(cx, &t->fields[i].type))
            return false;
    }
    return true;
}

static bool labels(cd_ctx *cx, cd_type *t)
{
    if (!named_array(cx, t, 1))
        return false;
    for (uint32_t i = 0; i < t->n; i++)
        if (!cd_read_name(cx, &t->fields[i].name))
            return false;
    if (t->code == 0x6e && t->n > 64)
        return err_set(cx->r->err, "component: more than 64 flags");
    return true;
}

static bool defvaltype(cd_ctx *cx, uint8_t b, cd_type *t)
{
    t->tk = CD_T_VAL;
    t->code = b;
    if (is_prim(b))
        return true;
    switch (b) {
    case 0x72: return record(cx, t);
    case 0x71: return variant(cx, t);
    case 0x70: case 0x6b:
        t->has_a = true;
        return valref(cx, &t->a);
    case 0x6f: return tuple(cx, t);
    case 0x6e: case 0x6d: return labels(cx, t);
    case 0x6a:
        return opt_valref(cx, &t->has_a, &t->a) &&
               opt_valref(cx, &t->has_b, &t->b);
    case 0x69: case 0x68:
        return reader_u32(cx->r, &t->res);
    default:
        return err_set(cx->r->err, "component: unsupported type 0x%02x", b);
    }
}

/* ---- function, resource, component and instance types ------------------- */

static bool func_type(cd_ctx *cx, cd_type *t)
{
    uint8_t b;
    uint32_t n;
    t->tk = CD_T_FUNC;
    if (!record(cx, t) || !reader_u8(cx->r, &b))
        return false;
    if (b == 0x00) {
        t->has_a = true;
        return valref(cx, &t->a);
    }
    if (b != 0x01 || !reader_u32(cx->r, &n))
        return b == 0x01 ? false
                         : err_set(cx->r->err, "component: bad result list "
                                   "0x%02x", b);
    if (n != 0)
        return err_set(cx->r->err, "component: unsupported named results");
    return true;
}

static bool resource(cd_ctx *cx, cd_type *t)
{
    uint8_t rep, b;
    t->tk = CD_T_RESOURCE;
    if (!reader_u8(cx->r, &rep))
        return false;
    if (rep != 0x7f)
        return err_set(cx->r->err, "component: resource rep must be i32");
    if (!reader_u8(cx->r, &b))
        return false;
    if (b > 0x01)
        return err_set(cx->r->err, "component: bad resource dtor flag");
    t->has_dtor = b == 0x01;
    return !t->has_dtor || reader_u32(cx->r, &t->dtor);
}

static bool decl(cd_ctx *cx, cd_decl *d, bool component)
{
    if (!reader_u8(cx->r, &d->kind))
        return false;
    switch (d->kind) {
    case 0x00:
        return cd_core_type_skip(cx);
    case 0x01:
        return cd_type_def(cx, &d->type);
    case 0x02:
        return cd_read_alias(cx, &d->alias);
    case 0x03:
        if (!component)
            break;
        return cd_read_extname(cx, &d->name) && cd_extern_desc(cx, &d->ext);
    case 0x04:
        return cd_read_extname(cx, &d->name) && cd_extern_desc(cx, &d->ext);
    default:
        break;
    }
    return err_set(cx->r->err, "component: bad declaration 0x%02x", d->kind);
}

static bool decls(cd_ctx *cx, cd_type *t, bool component)
{
    t->tk = component ? CD_T_COMPONENT : CD_T_INSTANCE;
    if (++cx->depth > CD_MAX_DEPTH)
        return err_set(cx->r->err, "component: nesting too deep");
    if (!cd_count(cx, 2, &t->ndecls))
        return false;
    t->decls = cd_pool_array(&cx->c->pool, t->ndecls ? t->ndecls : 1,
                             sizeof *t->decls);
    if (!t->decls)
        return oom(cx);
    for (uint32_t i = 0; i < t->ndecls; i++)
        if (!decl(cx, &t->decls[i], component))
            return false;
    cx->depth--;
    return true;
}

bool cd_type_def(cd_ctx *cx, cd_type **out)
{
    uint8_t b;
    cd_type *t = cd_pool_alloc(&cx->c->pool, sizeof *t);
    if (!t)
        return oom(cx);
    *out = t;
    if (!reader_u8(cx->r, &b))
        return false;
    switch (b) {
    case 0x40: return func_type(cx, t);
    case 0x41: return decls(cx, t, true);
    case 0x42: return decls(cx, t, false);
    case 0x3f: return resource(cx, t);
    case 0x43: case 0x3e:
        return err_set(cx->r->err, "component: unsupported async type");
    default:
        return defvaltype(cx, b, t);
    }
}
