/* `ebb memstat --svg`: the cycles as a picture. Each cycle gives two
 * points per line, after its run and after its drop, so a runtime that
 * gives memory back draws a saw whose teeth return to the same floor, and
 * one that keeps memory draws a staircase. A band marks the promise: after
 * the drop, RssAnon within 64 KiB of where it was before the engine.
 * Without cycles the six steps of the single pass are drawn instead. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "memstat.h"

enum { W = 860, H = 520, X0 = 90, X1 = 700, Y0 = 70, Y1 = 410 };

typedef struct plot {
    FILE *f;
    double xmax, ymax;   /* data ranges (x from 0, y from 0, in KiB) */
    double unit;         /* KiB per axis unit: 1 or 1024 */
} plot;

static double px(const plot *p, double x)
{
    return X0 + (p->xmax > 0 ? x / p->xmax : 0) * (X1 - X0);
}

static double py(const plot *p, double y)
{
    return Y1 - (p->ymax > 0 ? y / p->ymax : 0) * (Y1 - Y0);
}

/* A tick step of 1, 2 or 5 times a power of ten giving at most ~6 ticks. */
static double nice_step(double range)
{
    if (range <= 0)
        return 1;
    double raw = range / 6, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void axes(const plot *p, const char *xlabel, bool step_labels)
{
    FILE *f = p->f;
    double ys = nice_step(p->ymax / p->unit);
    for (double v = 0; v <= p->ymax / p->unit + 1e-9; v += ys) {
        double y = py(p, v * p->unit);
        fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' "
                "stroke='#e4e4e4'/>\n", X0, y, X1, y);
        fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' "
                "class='tick'>%g</text>\n", X0 - 8, y + 4, v);
    }
    if (step_labels) {
        for (int s = 0; s < MS_NSTEPS; s++)
            fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' "
                    "class='tick'>%s</text>\n", px(p, s), Y1 + 18,
                    memstat_step_name((memstat_step)s));
    } else {
        double xs = nice_step(p->xmax);
        if (xs < 1)
            xs = 1;
        for (double v = 0; v <= p->xmax + 1e-9; v += xs)
            fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' "
                    "class='tick'>%g</text>\n", px(p, v), Y1 + 18, v);
    }
    fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>\n",
            X0, Y1, X1, Y1);
    fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>\n",
            X0, Y0, X0, Y1);
    fprintf(f, "<text x='%d' y='%d' text-anchor='middle' class='label'>"
            "%s</text>\n", (X0 + X1) / 2, Y1 + 42, xlabel);
    fprintf(f, "<text transform='translate(%d %d) rotate(-90)' "
            "text-anchor='middle' class='label'>%s</text>\n", 28,
            (Y0 + Y1) / 2, p->unit > 1 ? "MiB" : "KiB");
}

/* The value a line draws from a sample, in KiB. */
typedef double (*getter)(const memstat_sample *s);
static double get_vmrss(const memstat_sample *s) { return (double)s->vmrss_kib; }
static double get_anon(const memstat_sample *s) { return (double)s->rssanon_kib; }
static double get_ebb(const memstat_sample *s) { return s->live_total / 1024.0; }

static const struct series {
    const char *name, *color, *dash;
    getter get;
} lines[] = {
    {"VmRSS (all resident memory)", "#1f77b4", "", get_vmrss},
    {"RssAnon (resident anonymous memory)", "#ff7f0e", "", get_anon},
    {"ebb live bytes (its own counters)", "#2ca02c", "6 3", get_ebb},
};
enum { NLINES = sizeof lines / sizeof lines[0] };

/* x of point i: the steps at 0..5; in cycle mode point 0 is the end of
 * the first pass, then each cycle's run (c - 0.5) and drop (c). */
static void polyline(const plot *p, const memstat_result *r,
                     const struct series *s)
{
    fprintf(p->f, "<polyline fill='none' stroke='%s' stroke-width='1.6' "
            "stroke-dasharray='%s' points='", s->color, s->dash);
    if (!r->cycles) {
        for (int i = 0; i < MS_NSTEPS; i++)
            if (r->steps[i].taken)
                fprintf(p->f, "%.1f,%.1f ", px(p, i),
                        py(p, s->get(&r->steps[i])));
    } else {
        fprintf(p->f, "%.1f,%.1f ", px(p, 0),
                py(p, s->get(&r->steps[MS_DROP])));
        for (unsigned c = 0; c < r->cycles; c++)
            fprintf(p->f, "%.1f,%.1f %.1f,%.1f ", px(p, c + 0.5),
                    py(p, s->get(&r->cycle_run[c])), px(p, c + 1.0),
                    py(p, s->get(&r->cycle_drop[c])));
    }
    fprintf(p->f, "'/>\n");
}

static double data_max(const memstat_result *r)
{
    double m = 0;
    for (int l = 0; l < NLINES; l++) {
        for (int i = 0; i < MS_NSTEPS; i++)
            m = fmax(m, lines[l].get(&r->steps[i]));
        for (unsigned c = 0; c < r->cycles; c++)
            m = fmax(m, fmax(lines[l].get(&r->cycle_run[c]),
                             lines[l].get(&r->cycle_drop[c])));
    }
    return m;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* The band from RssAnon before the engine to 64 KiB above it. */
static void promise_band(const plot *p, const memstat_result *r)
{
    double base = (double)r->steps[MS_START].rssanon_kib;
    double top = py(p, base + 64), bottom = py(p, base);
    fprintf(p->f, "<rect x='%d' y='%.1f' width='%d' height='%.1f' "
            "fill='#ff7f0e' fill-opacity='0.15'/>\n", X0, top, X1 - X0,
            fmax(bottom - top, 1.0));
    fprintf(p->f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ff7f0e' "
            "stroke-dasharray='2 3'/>\n", X0, bottom, X1, bottom);
}

static void legend(const plot *p)
{
    int y = Y0 + 10;
    for (int l = 0; l < NLINES; l++, y += 24) {
        fprintf(p->f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' "
                "stroke-width='2.5' stroke-dasharray='%s'/>\n", X1 + 16, y,
                X1 + 40, y, lines[l].color, lines[l].dash);
        fprintf(p->f, "<text x='%d' y='%d' class='legend'>%s</text>\n",
                X1 + 46, y + 4, lines[l].name);
    }
    fprintf(p->f, "<rect x='%d' y='%d' width='24' height='10' fill='#ff7f0e' "
            "fill-opacity='0.15'/>\n", X1 + 16, y - 5);
    fprintf(p->f, "<text x='%d' y='%d' class='legend'>RssAnon before the "
            "engine .. +64 KiB</text>\n", X1 + 46, y + 4);
}

/* The figures a reader looks for, in words under the plot. */
static void summary(const plot *p, const memstat_result *r)
{
    const memstat_sample *last = r->cycles ? &r->cycle_drop[r->cycles - 1]
                                           : &r->steps[MS_DROP];
    fprintf(p->f, "<text x='%d' y='%d' class='label'>After the last drop: "
            "RssAnon %+ld KiB against before the engine, ebb live bytes %zu, "
            "%ld thread(s).</text>\n", X0, Y1 + 66,
            last->rssanon_kib - r->steps[MS_START].rssanon_kib,
            last->live_total, last->threads);
    fprintf(p->f, "<text x='%d' y='%d' class='tick'>ebb counts linear memory "
            "as soon as it is committed; RSS counts only the pages the guest "
            "touched.</text>\n", X0, Y1 + 84);
}

bool memstat_write_svg(const char *path, const memstat_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    plot p = {f, r->cycles ? r->cycles : MS_NSTEPS - 1, 0, 1};
    p.ymax = data_max(r) * 1.08;
    if (p.ymax < 64)
        p.ymax = 64;
    if (p.ymax >= 4096)
        p.unit = 1024;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
            "height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>\n"
            "<style>.tick{font-size:11px;fill:#555}"
            ".label{font-size:13px;fill:#333}.legend{font-size:12px;fill:#333}"
            ".title{font-size:16px;font-weight:bold}</style>\n"
            "<rect width='100%%' height='100%%' fill='white'/>\n",
            W + 170, H, W + 170, H);
    fprintf(f, "<text x='%d' y='30' class='title'>ebb memstat: ", X0);
    xml_text(f, r->path);
    fprintf(f, "</text>\n<text x='%d' y='50' class='label'>", X0);
    if (r->cycles)
        fprintf(f, "%u cycles of engine, module, instance, run, drop "
                "(%s compilation); each cycle: after the run, then after "
                "the drop", r->cycles, r->serial ? "serial" : "parallel");
    else
        fprintf(f, "one pass (%s compilation), sampled after each step",
                r->serial ? "serial" : "parallel");
    fprintf(f, "</text>\n");
    summary(&p, r);
    promise_band(&p, r);
    axes(&p, r->cycles ? "cycle" : "step", !r->cycles);
    for (int l = 0; l < NLINES; l++)
        polyline(&p, r, &lines[l]);
    legend(&p);
    fprintf(f, "</svg>\n");
    bool ok = !ferror(f);
    if (fclose(f) != 0)
        ok = false;
    if (!ok && !errno)
        errno = EIO;
    return ok;
}
