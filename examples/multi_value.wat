;; Multiple results: Wasm calls a host function returning four values and
;; passes them, reordered, to its own caller.
(module
  (import "host" "swap" (func $swap (param i32 i64) (result i64 i32)))
  (func (export "round_trip") (param i32 i64) (result i64 i32 i64 i32)
    (call $swap (local.get 0) (local.get 1))
    (call $swap (local.get 0) (local.get 1))))
