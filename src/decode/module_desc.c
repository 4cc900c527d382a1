/* Small services on a decoded module description: freeing it, naming
 * value types, comparing function types. */
#include "module.h"

#include <string.h>

const char *valtype_name(uint8_t t)
{
    switch (t) {
    case VT_I32: return "i32";
    case VT_I64: return "i64";
    case VT_F32: return "f32";
    case VT_F64: return "f64";
    case VT_V128: return "v128";
    case VT_FUNCREF: return "funcref";
    case VT_EXTERNREF: return "externref";
    default: return "?";
    }
}

bool functype_equal(const functype *a, const functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           memcmp(a->types, b->types, (size_t)a->nparams + a->nresults) == 0;
}

/* Entries allocated in an array. The decoder allocates every array zeroed
 * and may fail half-way through filling one, so nested blocks are freed
 * over the whole allocation rather than over the counts. */
static size_t capacity(const void *arr, size_t elem)
{
    return mem_size(arr) / elem;
}

void module_desc_free(mem_owner *owner, module_desc *m)
{
    if (!m)
        return;
    for (size_t i = 0, n = capacity(m->types, sizeof *m->types); i < n; i++)
        mem_free(owner, MEM_MODULE, m->types[i].types);
    for (size_t i = 0, n = capacity(m->elems, sizeof *m->elems); i < n; i++)
        mem_free(owner, MEM_MODULE, m->elems[i].items);
    for (size_t i = 0, n = capacity(m->codes, sizeof *m->codes); i < n; i++)
        mem_free(owner, MEM_MODULE, m->codes[i].groups);
    mem_free(owner, MEM_MODULE, m->types);
    mem_free(owner, MEM_MODULE, m->imports);
    mem_free(owner, MEM_MODULE, m->func_types);
    mem_free(owner, MEM_MODULE, m->tables);
    mem_free(owner, MEM_MODULE, m->memories);
    mem_free(owner, MEM_MODULE, m->globals);
    mem_free(owner, MEM_MODULE, m->global_inits);
    mem_free(owner, MEM_MODULE, m->exports);
    mem_free(owner, MEM_MODULE, m->elems);
    mem_free(owner, MEM_MODULE, m->datas);
    mem_free(owner, MEM_MODULE, m->codes);
    mem_free(owner, MEM_MODULE, m->func_declared);
    mem_free(owner, MEM_MODULE, (void *)m->func_names);
    mem_free(owner, MEM_MODULE, m->func_name_lens);
    memset(m, 0, sizeof *m);
}
