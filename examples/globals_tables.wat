;; Globals shared with the host (one imported, one exported) and a table
;; of functions that both sides fill and Wasm calls through.
(module
  (import "host" "counter" (global $counter (mut i32)))
  (import "host" "table" (table $t 2 10 funcref))
  (global $limit (export "limit") (mut i64) (i64.const 100))
  (type $binop (func (param i32 i32) (result i32)))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (elem (table $t) (i32.const 0) func $add)
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "apply") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $binop)
      (local.get 1) (local.get 2) (local.get 0))))
