;; Traps: one raised by Wasm code three calls deep, one raised by the host
;; in a callback. The name section gives the backtrace its names.
(module $traps
  (import "host" "fail" (func $fail))
  (func $divide (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $middle (param i32) (result i32)
    (call $divide (i32.const 10) (local.get 0)))
  (func (export "divide") (param i32) (result i32)
    (call $middle (local.get 0)))
  (func (export "callback")
    (call $fail)))
