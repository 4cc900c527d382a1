/* Tokens of the WebAssembly text format (and of .wast scripts, which use
 * the same lexical grammar). The whole input is cut into an array of
 * tokens up front; the parsers then walk it with lookahead. Tokens point
 * into the source, which must outlive them. */
#ifndef EBB_TEXT_LEXER_H
#define EBB_TEXT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem/mem.h"
#include "../util/err.h"

typedef enum text_tok_kind {
    TOK_EOF,
    TOK_LPAR,
    TOK_RPAR,
    TOK_KEYWORD,   /* starts with a lowercase letter: keywords, inf, nan */
    TOK_ID,        /* $name */
    TOK_NUM,       /* starts with a digit or a sign: a number if well-formed */
    TOK_STRING,    /* "..." (p/len include the quotes) */
    TOK_RESERVED,  /* anything else the grammar reserves, e.g. `0$x`, `"a"b` */
} text_tok_kind;

typedef struct text_token {
    uint8_t kind;      /* text_tok_kind */
    uint32_t line;     /* 1-based */
    uint32_t col;      /* 1-based, in bytes */
    const char *p;
    size_t len;
} text_token;

/* Cuts src into tokens, ending with one TOK_EOF token. The array is
 * allocated from `owner` (MEM_HOST). Fails with "LINE:COL: message" on a
 * malformed string, an unclosed comment or a character outside the
 * grammar. */
bool text_lex(mem_owner *owner, const char *src, size_t len,
              text_token **out, size_t *ntokens, err_t *err);

/* The bytes a string token stands for, escapes resolved. `dst` must have
 * room for t->len bytes (a string never grows when decoded). Returns the
 * number of bytes written. The lexer has already checked the escapes. */
size_t text_string_bytes(const text_token *t, uint8_t *dst);

/* True when the token is the keyword `kw`. */
bool text_tok_is(const text_token *t, const char *kw);

#endif
