/* Marks the public API for export from libebb.so, which is built with
 * hidden visibility: only functions marked EBB_API (all wasm_* and ebb_*)
 * are visible to embedders. */
#ifndef EBB_EXPORT_H
#define EBB_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define EBB_API __attribute__((visibility("default")))
#else
#define EBB_API
#endif

#endif
