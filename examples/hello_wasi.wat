;; A WASI command in the text format: greets on stdout, then prints its
;; arguments (after the program name) one per line.
;;   ebb run examples/hello_wasi.wat one two
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map: 0..8 an iovec, 8 the count written, 16 argc, 20 the size
  ;; of the argument strings, 64.. the greeting, 256.. argv pointers,
  ;; 4096.. the argument strings.
  (data (i32.const 64) "Hello from ebb, a WebAssembly runtime!\n")
  (data (i32.const 128) "\n")

  ;; Writes len bytes at ptr to stdout.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                          (i32.const 8))))

  ;; Length of the NUL-terminated string at ptr.
  (func $strlen (param $ptr i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u
                                (i32.add (local.get $ptr) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func (export "_start")
    (local $i i32)
    (local $arg i32)
    (call $print (i32.const 64) (i32.const 39))
    ;; Arguments beyond what fits in this page are not printed.
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (if (i32.gt_u (i32.load (i32.const 20)) (i32.const 61440)) (then return))
    (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 960)) (then return))
    (drop (call $args_get (i32.const 256) (i32.const 4096)))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 16))))
        (local.set $arg (i32.load (i32.add (i32.const 256)
                                           (i32.shl (local.get $i)
                                                    (i32.const 2)))))
        (call $print (local.get $arg) (call $strlen (local.get $arg)))
        (call $print (i32.const 128) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
