// The reference side of the differential test: runs a module's exports in
// Node's V8 and prints the same lines as diff_driver.c (see there).
// usage: node diff_driver.js FILE.wasm SIGS   (SIGS from diff_driver --sigs:
// JavaScript cannot see the parameter and result types of an export)
'use strict';
const fs = require('fs');

const dv = new DataView(new ArrayBuffer(8));

function fmt(type, v) {
  switch (type) {
    case 'i32': return 'i32 ' + (v >>> 0);
    case 'i64': return 'i64 ' + BigInt.asUintN(64, v);
    case 'f32':
      if (Number.isNaN(v)) return 'f32 nan';
      dv.setFloat32(0, v, true);
      return 'f32 ' + dv.getUint32(0, true);
    case 'f64':
      if (Number.isNaN(v)) return 'f64 nan';
      dv.setFloat64(0, v, true);
      return 'f64 ' + dv.getBigUint64(0, true);
    default: return type + (v === null ? ' null' : ' ref');
  }
}

let dumps = 0;

function hash(mem) {
  const p = new Uint8Array(mem.buffer);
  // DIFF_DUMP=PREFIX: memory after call K also goes to PREFIX.K.
  if (process.env.DIFF_DUMP)
    fs.writeFileSync(process.env.DIFF_DUMP + '.' + dumps++, p);
  let h = 2166136261;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i], 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function parseSigs(text) {
  const sigs = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parts = line.split(' ');
    const arrow = parts.indexOf('->');
    sigs.set(parts[0], {params: parts.slice(1, arrow),
                        results: parts.slice(arrow + 1)});
  }
  return sigs;
}

// Runs the module; returns the lines diff_driver.c prints for it.
function run(bytes, sigs) {
  let out = '';
  let mod;
  try {
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    return 'invalid\n';
  }
  const imports = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    const type = imp.name.replace(/^log-/, '');
    imports[imp.module] = imports[imp.module] || {};
    imports[imp.module][imp.name] = (...args) => {
      out += 'log' + args.map((a) => ' ' + fmt(type, a)).join('') + '\n';
    };
  }
  let inst;
  try {
    inst = new WebAssembly.Instance(mod, imports);
  } catch (e) {
    return 'instantiation trap\n';
  }
  const exps = WebAssembly.Module.exports(mod);
  let mem = null;
  for (const e of exps)
    if (e.kind === 'memory' && !mem) mem = inst.exports[e.name];
  const hang = inst.exports.hangLimitInitializer;
  for (const e of exps) {
    if (e.kind !== 'function' || e.name === 'hangLimitInitializer') continue;
    if (hang) hang();
    const sig = sigs.get(e.name) || {params: [], results: []};
    const args = sig.params.map((t) => (t === 'i64' ? 0n :
      (t === 'funcref' || t === 'externref') ? null : 0));
    out += 'call ' + e.name + '\n';
    if (sig.params.includes('v128') || sig.results.includes('v128')) {
      // JavaScript cannot pass or receive a v128, nor can wasm.h.
      out += 'skip v128\n';
      if (mem)
        out += 'mem ' + mem.buffer.byteLength / 65536 + ' ' + hash(mem) + '\n';
      continue;
    }
    try {
      const r = inst.exports[e.name](...args);
      const vals = sig.results.length === 1 ? [r] :
                   sig.results.length ? r : [];
      out += 'result';
      sig.results.forEach((t, i) => { out += ' ' + fmt(t, vals[i]); });
      out += '\n';
    } catch (err) {
      // Stack exhaustion is a RangeError in V8, a trap in Wasm terms; a
      // TypeError comes from a v128 passed to the log-v128 import, which
      // traps on the ebb side too.
      if (!(err instanceof WebAssembly.RuntimeError) &&
          !(err instanceof RangeError) && !(err instanceof TypeError))
        throw err;
      out += 'trap\n';
    }
    if (mem)
      out += 'mem ' + mem.buffer.byteLength / 65536 + ' ' + hash(mem) + '\n';
  }
  return out;
}

module.exports = {run, parseSigs};

if (require.main === module) {
  const [file, sigFile] = process.argv.slice(2);
  process.stdout.write(run(fs.readFileSync(file),
                           parseSigs(fs.readFileSync(sigFile, 'utf8'))));
}
