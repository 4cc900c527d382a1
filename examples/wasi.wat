;; A WASI command: greets on stdout, copies stdin to stdout, counts its
;; arguments and exits with that count.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, WASI!\n")
  ;; iovec at 0: (pointer, length); count of bytes at 8; buffer at 1024
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                          (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 64) (i32.const 13))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1)
                         (i32.const 8)))
    (call $write (i32.const 1024) (i32.load (i32.const 8)))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (call $proc_exit (i32.load (i32.const 16)))))
