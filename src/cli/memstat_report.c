/* `ebb memstat`'s reports: a table for people, JSON for programs. The
 * table puts the steps side by side so a number can be followed from the
 * start to the drop along one line. */
#include <inttypes.h>
#include <string.h>

#include "memstat.h"

static const char *const step_names[MS_NSTEPS] = {
#define X(id, name, what) name,
    MEMSTAT_STEPS(X)
#undef X
};

static const char *const step_whats[MS_NSTEPS] = {
#define X(id, name, what) what,
    MEMSTAT_STEPS(X)
#undef X
};

static const char *const owner_names[MEM_NOWNER] = {"engine", "module",
                                                   "store"};

const char *memstat_step_name(memstat_step s)
{
    return s < MS_NSTEPS ? step_names[s] : "?";
}

const char *memstat_step_what(memstat_step s)
{
    return s < MS_NSTEPS ? step_whats[s] : "?";
}

/* ---- text --------------------------------------------------------------- */

#define COL 11

static void row_long(FILE *f, const char *label, const memstat_result *r,
                     size_t off)
{
    fprintf(f, "%-20s", label);
    for (int s = 0; s < MS_NSTEPS; s++) {
        long v = *(const long *)((const char *)&r->steps[s] + off);
        if (r->steps[s].taken)
            fprintf(f, "%*ld", COL, v);
        else
            fprintf(f, "%*s", COL, "-");
    }
    fputc('\n', f);
}

static void row_size(FILE *f, const char *label, const size_t *first,
                     const memstat_result *r)
{
    /* first points into r->steps[0]; the same field of every step sits
     * one sample further on. */
    size_t off = (size_t)((const char *)first - (const char *)&r->steps[0]);
    fprintf(f, "%-20s", label);
    for (int s = 0; s < MS_NSTEPS; s++) {
        if (r->steps[s].taken)
            fprintf(f, "%*zu", COL,
                    *(const size_t *)((const char *)&r->steps[s] + off));
        else
            fprintf(f, "%*s", COL, "-");
    }
    fputc('\n', f);
}

static void print_cycle(FILE *f, unsigned i, const memstat_result *r)
{
    const memstat_sample *a = &r->cycle_run[i], *d = &r->cycle_drop[i];
    fprintf(f, "%7u %10ld %10ld %12zu   %10ld %10ld %12zu %10.1f\n", i + 1,
            a->vmrss_kib, a->rssanon_kib, a->live_total, d->vmrss_kib,
            d->rssanon_kib, d->live_total,
            r->cycle_run[i].ms + d->ms);
}

static void print_cycles(FILE *f, const memstat_result *r)
{
    unsigned n = r->cycles;
    fprintf(f, "\n%u cycles of engine -> module -> instance -> run -> drop\n",
            n);
    fprintf(f, "%7s %10s %10s %12s   %10s %10s %12s %10s\n", "", "after run",
            "", "", "after drop", "", "", "");
    fprintf(f, "%7s %10s %10s %12s   %10s %10s %12s %10s\n", "cycle",
            "VmRSS KiB", "RssAnon", "ebb bytes", "VmRSS KiB", "RssAnon",
            "ebb bytes", "run+drop ms");
    /* Long runs: the first cycles, then about ten evenly spaced, then the
     * last, so the table stays one screen. */
    unsigned step = n > 20 ? n / 10 : 1;
    for (unsigned i = 0; i < n; i++)
        if (n <= 20 || i < 5 || (i + 1) % step == 0 || i + 1 == n)
            print_cycle(f, i, r);
    unsigned nonzero = 0, first_nonzero = 0;
    for (unsigned i = 0; i < n; i++)
        if (r->cycle_drop[i].live_total && !nonzero++)
            first_nonzero = i + 1;
    if (nonzero)
        fprintf(f, "ebb bytes after the drop were not 0 in %u cycle(s), "
                "first in cycle %u\n", nonzero, first_nonzero);
    else
        fprintf(f, "ebb bytes after every drop: 0\n");
    unsigned ref = n > 10 ? 10 : 1;
    fprintf(f, "RssAnon after cycle %u minus after cycle %u: %+ld KiB\n", n,
            ref, r->cycle_drop[n - 1].rssanon_kib -
                     r->cycle_drop[ref - 1].rssanon_kib);
    fprintf(f, "RssAnon after cycle %u minus before the first engine: "
            "%+ld KiB\n", n, r->cycle_drop[n - 1].rssanon_kib -
                                 r->steps[MS_START].rssanon_kib);
}

void memstat_print_text(FILE *f, const memstat_result *r)
{
    fprintf(f, "ebb memstat: %s (%zu bytes), %s compilation, run: %s\n",
            r->path, r->module_bytes, r->serial ? "serial" : "parallel",
            r->run_name ? r->run_name : "(nothing)");
    if (r->run_note[0])
        fprintf(f, "the run ended with a %s\n", r->run_note);
    if (r->error[0])
        fprintf(f, "stopped: %s\n", r->error);
    fprintf(f, "\n%-20s", "step");
    for (int s = 0; s < MS_NSTEPS; s++)
        fprintf(f, "%*s", COL, step_names[s]);
    fputc('\n', f);
    row_long(f, "VmRSS KiB", r, offsetof(memstat_sample, vmrss_kib));
    row_long(f, "RssAnon KiB", r, offsetof(memstat_sample, rssanon_kib));
    row_long(f, "RssFile KiB", r, offsetof(memstat_sample, rssfile_kib));
    row_long(f, "threads", r, offsetof(memstat_sample, threads));
    row_size(f, "compile threads", &r->steps[0].compile_threads, r);
    row_size(f, "compile pool bytes", &r->steps[0].pool_bytes, r);
    row_size(f, "ebb live bytes", &r->steps[0].live_total, r);
    for (int c = 0; c < MEM_NCAT; c++) {
        char label[32];
        snprintf(label, sizeof label, "  %s", mem_cat_name((mem_cat)c));
        row_size(f, label, &r->steps[0].live[c], r);
    }
    fprintf(f, "live objects\n");
    for (int k = 0; k < RT_NOBJ; k++) {
        char label[32];
        snprintf(label, sizeof label, "  %s", rt_obj_kind_name((rt_obj_kind)k));
        row_size(f, label, &r->steps[0].objects[k], r);
    }
    fprintf(f, "%-20s", "step time ms");
    for (int s = 0; s < MS_NSTEPS; s++) {
        if (r->steps[s].taken)
            fprintf(f, "%*.2f", COL, r->steps[s].ms);
        else
            fprintf(f, "%*s", COL, "-");
    }
    fputc('\n', f);
    fprintf(f, "\nRssAnon after the drop minus before the engine: %+ld KiB\n",
            r->steps[MS_DROP].rssanon_kib - r->steps[MS_START].rssanon_kib);
    fprintf(f, "peak ebb bytes:");
    for (int k = 0; k < MEM_NOWNER; k++) {
        size_t sum = 0;
        for (int c = 0; c < MEM_NCAT; c++)
            sum += r->peak[k].peak[c];
        fprintf(f, " %s %zu%s", owner_names[k], sum,
                k + 1 < MEM_NOWNER ? "," : "");
    }
    fprintf(f, " (each category's own peak, summed)\n");
    if (r->cycles)
        print_cycles(f, r);
}

/* ---- JSON --------------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_cats(FILE *f, const size_t *v)
{
    fputc('{', f);
    for (int c = 0; c < MEM_NCAT; c++)
        fprintf(f, "%s\"%s\": %zu", c ? ", " : "", mem_cat_name((mem_cat)c),
                v[c]);
    fputc('}', f);
}

static void json_sample(FILE *f, const memstat_sample *s)
{
    fprintf(f, "{\"vmrss_kib\": %ld, \"rssanon_kib\": %ld, "
            "\"rssfile_kib\": %ld, \"threads\": %ld, "
            "\"compile_threads\": %zu, \"compile_pool_bytes\": %zu, "
            "\"ebb_live_bytes\": %zu, "
            "\"ms\": %.3f, \"categories\": ",
            s->vmrss_kib, s->rssanon_kib, s->rssfile_kib, s->threads,
            s->compile_threads, s->pool_bytes, s->live_total, s->ms);
    json_cats(f, s->live);
    fprintf(f, ", \"objects\": {");
    for (int k = 0; k < RT_NOBJ; k++)
        fprintf(f, "%s\"%s\": %zu", k ? ", " : "",
                rt_obj_kind_name((rt_obj_kind)k), s->objects[k]);
    fprintf(f, "}}");
}

void memstat_print_json(FILE *f, const memstat_result *r)
{
    fprintf(f, "{\"file\": ");
    json_string(f, r->path);
    fprintf(f, ", \"module_bytes\": %zu, \"compilation\": \"%s\", \"run\": ",
            r->module_bytes, r->serial ? "serial" : "parallel");
    json_string(f, r->run_name ? r->run_name : "");
    fprintf(f, ", \"run_note\": ");
    json_string(f, r->run_note);
    fprintf(f, ", \"error\": ");
    json_string(f, r->error);
    fprintf(f, ",\n \"steps\": [\n");
    for (int s = 0; s < MS_NSTEPS; s++) {
        fprintf(f, "  {\"step\": \"%s\", \"sample\": ", step_names[s]);
        if (r->steps[s].taken)
            json_sample(f, &r->steps[s]);
        else
            fprintf(f, "null");
        fprintf(f, "}%s\n", s + 1 < MS_NSTEPS ? "," : "");
    }
    fprintf(f, " ],\n \"peak\": {");
    for (int k = 0; k < MEM_NOWNER; k++) {
        fprintf(f, "%s\"%s\": ", k ? ", " : "", owner_names[k]);
        json_cats(f, r->peak[k].peak);
    }
    fprintf(f, "},\n \"cycles\": [\n");
    for (unsigned i = 0; i < r->cycles; i++) {
        fprintf(f, "  {\"cycle\": %u, \"after_run\": ", i + 1);
        json_sample(f, &r->cycle_run[i]);
        fprintf(f, ",\n   \"after_drop\": ");
        json_sample(f, &r->cycle_drop[i]);
        fprintf(f, "}%s\n", i + 1 < r->cycles ? "," : "");
    }
    fprintf(f, " ]}\n");
}
