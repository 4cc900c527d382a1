;; v128 parameters and results through `ebb run --invoke`: a v128 is
;; written and printed as one 128-bit hexadecimal number (lane 0 lowest).
(module
  (func (export "add") (param v128 v128) (result v128 i32)
    (i32x4.add (local.get 0) (local.get 1))
    (i32.const 7))
  (func (export "scale") (param i32) (result v128)
    (i32x4.mul (v128.const i32x4 1 2 3 4) (i32x4.splat (local.get 0)))))
