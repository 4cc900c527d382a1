#!/usr/bin/env node
// Runs one WASI command (a bench/kernels program) under Node's WASI, its
// stdout and stderr those of this process; exits with its status:
//   node [V8 FLAGS] bench/node_kernel.js PROGRAM.wasm
// The kernel times itself, so compile and instantiation are not counted.
'use strict';
const fs = require('fs');
const { WASI } = require('wasi');

async function main() {
    const file = process.argv[2];
    if (!file) {
        console.error('usage: node node_kernel.js PROGRAM.wasm');
        process.exit(2);
    }
    const wasi = new WASI({ version: 'preview1', args: [file], env: {},
                            returnOnExit: true });
    const module = await WebAssembly.compile(fs.readFileSync(file));
    const instance = await WebAssembly.instantiate(module,
                                                   wasi.getImportObject());
    const status = wasi.start(instance);
    process.exitCode = status === undefined ? 0 : status;
}

main().catch((e) => { console.error(e); process.exit(1); });
