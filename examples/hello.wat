;; Calls back into the host: the import is provided by examples/hello.c.
(module
  (import "host" "hello" (func $hello (param i32)))
  (func (export "run") (param i32)
    (call $hello (i32.mul (local.get 0) (i32.const 2)))))
