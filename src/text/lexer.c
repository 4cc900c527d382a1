#include "lexer.h"

#include <string.h>

typedef struct lexer {
    const char *p;
    const char *end;
    const char *line_start;
    uint32_t line;
    mem_owner *owner;
    text_token *toks;
    size_t ntoks, cap;
    err_t *err;
} lexer;

/* Characters that may appear in keywords, ids and numbers. */
static bool is_idchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static uint32_t col_of(const lexer *lx, const char *at)
{
    return (uint32_t)(at - lx->line_start) + 1;
}

static bool lex_error(lexer *lx, const char *at, const char *msg)
{
    return err_set(lx->err, "%u:%u: %s", lx->line, col_of(lx, at), msg);
}

static void newline(lexer *lx, const char *after)
{
    lx->line++;
    lx->line_start = after;
}

/* Skips whitespace and comments; false on an unclosed block comment. */
static bool skip_space(lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == ' ' || c == '\t') {
            lx->p++;
        } else if (c == '\n' || c == '\r') {
            /* newlines are LF, CR, or CR LF */
            lx->p++;
            if (c == '\r' && lx->p < lx->end && *lx->p == '\n')
                lx->p++;
            newline(lx, lx->p);
        } else if (c == ';' && lx->p + 1 < lx->end && lx->p[1] == ';') {
            /* a line comment ends at a newline or a carriage return */
            while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '\r')
                lx->p++;
        } else if (c == '(' && lx->p + 1 < lx->end && lx->p[1] == ';') {
            const char *start = lx->p;
            uint32_t depth = 1;
            lx->p += 2;
            while (depth > 0) {
                if (lx->p >= lx->end) {
                    lx->p = start;
                    return lex_error(lx, start, "unclosed comment");
                }
                if (*lx->p == '(' && lx->p + 1 < lx->end && lx->p[1] == ';') {
                    depth++;
                    lx->p += 2;
                } else if (*lx->p == ';' && lx->p + 1 < lx->end &&
                           lx->p[1] == ')') {
                    depth--;
                    lx->p += 2;
                } else {
                    if (*lx->p == '\n')
                        newline(lx, lx->p + 1);
                    lx->p++;
                }
            }
        } else {
            break;
        }
    }
    return true;
}

/* Checks one string starting at lx->p (on the opening quote) and moves
 * past its closing quote. */
static bool scan_string(lexer *lx)
{
    const char *start = lx->p;
    lx->p++;
    for (;;) {
        if (lx->p >= lx->end)
            return lex_error(lx, start, "unclosed string");
        unsigned char c = (unsigned char)*lx->p;
        if (c == '"') {
            lx->p++;
            return true;
        }
        if (c < 0x20 || c == 0x7f)
            return lex_error(lx, lx->p, "illegal character in string");
        if (c != '\\') {
            lx->p++;
            continue;
        }
        const char *esc = lx->p;
        lx->p++;
        if (lx->p >= lx->end)
            return lex_error(lx, start, "unclosed string");
        c = (unsigned char)*lx->p;
        if (c && strchr("tnr\"'\\", c)) {
            lx->p++;
        } else if (c == 'u') {
            lx->p++;
            if (lx->p >= lx->end || *lx->p != '{')
                return lex_error(lx, esc, "malformed escape");
            lx->p++;
            uint32_t v = 0;
            int digits = 0;
            while (lx->p < lx->end && hex_value((unsigned char)*lx->p) >= 0) {
                v = v * 16 + (uint32_t)hex_value((unsigned char)*lx->p);
                if (v > 0x10ffff)
                    return lex_error(lx, esc, "malformed escape");
                digits++;
                lx->p++;
            }
            if (digits == 0 || lx->p >= lx->end || *lx->p != '}' ||
                (v >= 0xd800 && v < 0xe000))
                return lex_error(lx, esc, "malformed escape");
            lx->p++;
        } else if (hex_value(c) >= 0 && lx->p + 1 < lx->end &&
                   hex_value((unsigned char)lx->p[1]) >= 0) {
            lx->p += 2;
        } else {
            return lex_error(lx, esc, "malformed escape");
        }
    }
}

static bool push(lexer *lx, uint8_t kind, const char *p, size_t len,
                 uint32_t line, uint32_t col)
{
    if (!mem_grow_array(lx->owner, MEM_HOST, (void **)&lx->toks, &lx->cap,
                        lx->ntoks + 1, sizeof *lx->toks))
        return err_set(lx->err, "out of memory");
    lx->toks[lx->ntoks++] = (text_token){kind, line, col, p, len};
    return true;
}

/* A run of idchars and strings with nothing between them is one token;
 * only a run that is exactly one string, or only idchars, means anything. */
static bool scan_run(lexer *lx)
{
    const char *start = lx->p;
    uint32_t line = lx->line, col = col_of(lx, start);
    int strings = 0, others = 0;
    bool odd = false;
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p;
        if (c == '"') {
            if (!scan_string(lx))
                return false;
            strings++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' ||
            c == ')')
            break;
        if (c == ';' && lx->p + 1 < lx->end && lx->p[1] == ';')
            break;
        if (!is_idchar(c))
            odd = true;
        others++;
        lx->p++;
    }
    size_t len = (size_t)(lx->p - start);
    uint8_t kind;
    if (strings == 1 && others == 0)
        kind = TOK_STRING;
    else if (strings > 0 || odd)
        kind = TOK_RESERVED;
    else if (start[0] == '$')
        kind = len > 1 ? TOK_ID : TOK_RESERVED;
    else if (start[0] >= 'a' && start[0] <= 'z')
        kind = TOK_KEYWORD;
    else if ((start[0] >= '0' && start[0] <= '9') || start[0] == '+' ||
             start[0] == '-')
        kind = TOK_NUM;
    else
        kind = TOK_RESERVED;
    return push(lx, kind, start, len, line, col);
}

bool text_lex(mem_owner *owner, const char *src, size_t len,
              text_token **out, size_t *ntokens, err_t *err)
{
    /* An empty text may come as (NULL, 0), e.g. `(module quote)`: tokens
     * must still point somewhere (their p + len is computed). */
    if (!src)
        src = "";
    lexer lx = {src, src + len, src, 1, owner, NULL, 0, 0, err};
    bool ok = true;
    for (;;) {
        if (!(ok = skip_space(&lx)))
            break;
        if (lx.p >= lx.end) {
            ok = push(&lx, TOK_EOF, lx.p, 0, lx.line, col_of(&lx, lx.p));
            break;
        }
        char c = *lx.p;
        if (c == '(' || c == ')') {
            ok = push(&lx, c == '(' ? TOK_LPAR : TOK_RPAR, lx.p, 1, lx.line,
                      col_of(&lx, lx.p));
            lx.p++;
        } else {
            ok = scan_run(&lx);
        }
        if (!ok)
            break;
    }
    if (!ok) {
        mem_free(owner, MEM_HOST, lx.toks);
        return false;
    }
    *out = lx.toks;
    *ntokens = lx.ntoks;
    return true;
}

static size_t put_utf8(uint8_t *d, uint32_t v)
{
    if (v < 0x80) {
        d[0] = (uint8_t)v;
        return 1;
    }
    if (v < 0x800) {
        d[0] = (uint8_t)(0xc0 | (v >> 6));
        d[1] = (uint8_t)(0x80 | (v & 0x3f));
        return 2;
    }
    if (v < 0x10000) {
        d[0] = (uint8_t)(0xe0 | (v >> 12));
        d[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
        d[2] = (uint8_t)(0x80 | (v & 0x3f));
        return 3;
    }
    d[0] = (uint8_t)(0xf0 | (v >> 18));
    d[1] = (uint8_t)(0x80 | ((v >> 12) & 0x3f));
    d[2] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
    d[3] = (uint8_t)(0x80 | (v & 0x3f));
    return 4;
}

size_t text_string_bytes(const text_token *t, uint8_t *dst)
{
    const char *p = t->p + 1, *end = t->p + t->len - 1;
    size_t n = 0;
    while (p < end) {
        if (*p != '\\') {
            dst[n++] = (uint8_t)*p++;
            continue;
        }
        p++;
        char c = *p++;
        switch (c) {
        case 't': dst[n++] = '\t'; break;
        case 'n': dst[n++] = '\n'; break;
        case 'r': dst[n++] = '\r'; break;
        case '"': dst[n++] = '"'; break;
        case '\'': dst[n++] = '\''; break;
        case '\\': dst[n++] = '\\'; break;
        case 'u': {
            uint32_t v = 0;
            p++; /* '{' */
            while (*p != '}')
                v = v * 16 + (uint32_t)hex_value((unsigned char)*p++);
            p++;
            n += put_utf8(dst + n, v);
            break;
        }
        default:
            dst[n++] = (uint8_t)(hex_value((unsigned char)c) * 16 +
                                 hex_value((unsigned char)*p++));
            break;
        }
    }
    return n;
}

bool text_tok_is(const text_token *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == TOK_KEYWORD && t->len == n && memcmp(t->p, kw, n) == 0;
}
