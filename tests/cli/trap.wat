(module
  (func (export "boom") unreachable)
  (func $down (export "down") (param i32) (result i32)
    (call $down (i32.add (local.get 0) (i32.const 1))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result f64 f32 i64)
    (local.get 2) (local.get 1) (local.get 0)))
