/* Traps and frames of wasm.h. An API trap is a copy of the runtime trap
 * (message and backtrace) on api_mem, so it does not depend on the
 * runtime trap, which is freed at once. */
#include "api.h"

#include <string.h>

void api_trap_data_free(api_trap_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nframes; i++)
        api_handle_delete((wasm_ref_t *)d->frames[i].instance_handle);
    api_free(d->frames);
    api_free(d->message);
    api_free(d);
}

static wasm_trap_t *wrap_trap(wasm_store_t *s, api_trap_data *d)
{
    api_obj *o = api_alloc(sizeof *o);
    wasm_trap_t *t = o ? (wasm_trap_t *)api_alloc(sizeof *t) : NULL;
    if (!t) {
        api_free(o);
        api_trap_data_free(d);
        return NULL;
    }
    o->kind = API_TRAP;
    o->store = s;
    o->rt.trap = d;
    o->handles = 1;
    t->ref.obj = o;
    t->ref.counted = true;
    return t;
}

/* The message is kept with a terminating NUL, as wasm_message_t wants. */
static api_trap_data *new_data(const char *msg, size_t len)
{
    api_trap_data *d = api_alloc(sizeof *d);
    if (!d)
        return NULL;
    if (len && msg[len - 1] == 0)
        len--;
    d->message = api_alloc(len + 1);
    if (!d->message) {
        api_free(d);
        return NULL;
    }
    if (len)
        memcpy(d->message, msg, len);
    d->message_len = len + 1;
    return d;
}

wasm_trap_t *api_trap_from_text(wasm_store_t *s, const char *msg, size_t len)
{
    api_trap_data *d = new_data(msg, len);
    return d ? wrap_trap(s, d) : NULL;
}

/* The offset of a code position from the start of its function's body. */
static size_t func_offset(const rt_frame_info *f)
{
    if (!f->module)
        return 0;
    const module_desc *d = &f->module->desc;
    if (f->func_index < d->nimported_funcs || f->func_index >= d->nfuncs)
        return 0;
    uint32_t start = d->codes[f->func_index - d->nimported_funcs].body_offset;
    return f->code_offset >= start ? f->code_offset - start : 0;
}

wasm_trap_t *api_trap_from_rt(wasm_store_t *s, rt_trap *t)
{
    if (!t)
        return api_trap_from_text(s, "out of memory", 13);
    api_trap_data *d = new_data(t->message, strlen(t->message));
    if (d && t->nframes) {
        d->frames = api_alloc(t->nframes * sizeof *d->frames);
        if (d->frames)
            d->nframes = t->nframes;
    }
    for (size_t i = 0; d && i < d->nframes; i++) {
        const rt_frame_info *f = &t->frames[i];
        wasm_frame_t *w = &d->frames[i];
        w->store = s;
        w->instance = f->instance;
        w->func_index = f->func_index;
        w->module_offset = f->code_offset;
        w->func_offset = func_offset(f);
    }
    rt_trap_free(t);
    return d ? wrap_trap(s, d) : NULL;
}

wasm_trap_t *wasm_trap_new(wasm_store_t *s, const wasm_message_t *msg)
{
    if (!s)
        return NULL;
    if (!msg || !msg->data)
        return api_trap_from_text(s, "", 0);
    return api_trap_from_text(s, msg->data, msg->size);
}

static const api_trap_data *trap_data(const wasm_trap_t *t)
{
    return t ? t->ref.obj->rt.trap : NULL;
}

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out)
{
    const api_trap_data *d = trap_data(t);
    if (!out)
        return;
    if (!d) {
        wasm_byte_vec_new_empty(out);
        return;
    }
    wasm_byte_vec_new(out, d->message_len, d->message);
}

/* ---- frames ---------------------------------------------------------------- */

static wasm_frame_t *frame_copy(const wasm_frame_t *f)
{
    wasm_frame_t *c = api_alloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *f;
    c->instance_handle = NULL;
    return c;
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t)
{
    const api_trap_data *d = trap_data(t);
    return d && d->nframes ? frame_copy(&d->frames[0]) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out)
{
    const api_trap_data *d = trap_data(t);
    if (!out)
        return;
    wasm_frame_vec_new_uninitialized(out, d ? d->nframes : 0);
    for (size_t i = 0; i < out->size; i++)
        if (!(out->data[i] = frame_copy(&d->frames[i]))) {
            out->size = i;
            wasm_frame_vec_delete(out);
            return;
        }
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f)
{
    return f ? frame_copy(f) : NULL;
}

void wasm_frame_delete(wasm_frame_t *f)
{
    if (!f)
        return;
    api_handle_delete((wasm_ref_t *)f->instance_handle);
    api_free(f);
}

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f)
{
    if (!f || !f->instance)
        return NULL;
    /* Borrowed from the frame: made once, freed with the frame. */
    wasm_frame_t *mut = (wasm_frame_t *)f;
    if (!mut->instance_handle)
        mut->instance_handle = (wasm_instance_t *)api_handle_new(
            api_store_obj(f->store, API_INSTANCE, (void *)f->instance));
    return mut->instance_handle;
}

uint32_t wasm_frame_func_index(const wasm_frame_t *f)
{
    return f ? f->func_index : 0;
}

size_t wasm_frame_func_offset(const wasm_frame_t *f)
{
    return f ? f->func_offset : 0;
}

size_t wasm_frame_module_offset(const wasm_frame_t *f)
{
    return f ? f->module_offset : 0;
}
