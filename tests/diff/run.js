// Differential runner: for seeds FIRST..FIRST+N-1, makes random bytes,
// turns them into a valid module with `wasm-opt -ttf`, runs its exports in
// ebb (diff_driver) and in V8 (diff_driver.js, in this process) and compares
// the two transcripts. A disagreement is saved under OUT/seed-S/ with the
// module, both transcripts and a script that reproduces it. Wasm leaves the
// bits of a NaN result open (any arithmetic NaN), so a NaN stored to memory
// or reinterpreted may differ: a disagreement that goes away once binaryen's
// --denan pass turns every NaN into 0 is counted as explained, not failed
// (its files go to OUT/nan-seed-S/).
// usage: node run.js DRIVER FIRST N OUT
'use strict';
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');
const {run, parseSigs} = require('./diff_driver.js');

const [driver, firstArg, countArg, out] = process.argv.slice(2);
const first = Number(firstArg), count = Number(countArg);

// Feature sets, taken in turn: the MVP, Wasm 2.0 without SIMD, with SIMD,
// and with reference types (for which this generator often makes modules
// that both engines reject: one seed in four keeps them).
const W2 = ['--enable-sign-ext', '--enable-mutable-globals',
            '--enable-nontrapping-float-to-int', '--enable-bulk-memory',
            '--enable-multivalue'];
const FEATURES = [[], W2, W2.concat(['--enable-simd']),
                  W2.concat(['--enable-reference-types', '--enable-simd'])];

function randomBytes(seed) {
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
  const n = 256 + (next() % 12000);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

fs.mkdirSync(out, {recursive: true});
const work = fs.mkdtempSync(path.join(out, 'work-'));
let pass = 0, fail = 0, skipped = 0, nans = 0, invalid = 0;

// Runs WASM in both engines; returns their transcripts.
function both(wasm) {
  const opts = {encoding: 'utf8', timeout: 30000, maxBuffer: 64 << 20};
  const sigs = spawnSync(driver, ['--sigs', wasm], opts);
  const ebb = spawnSync(driver, [wasm], opts);
  let ebbOut = ebb.stdout || '';
  if (ebb.status !== 0 || sigs.status !== 0)
    ebbOut += `exit ${ebb.status} ${ebb.signal || ''} ${ebb.stderr || ''}\n`;
  let v8Out;
  try {
    v8Out = run(fs.readFileSync(wasm), parseSigs(sigs.stdout || ''));
  } catch (e) {
    v8Out = 'v8 error ' + e + '\n';
  }
  return [ebbOut, v8Out];
}

// True when the module agrees in both engines once NaNs are made 0.
function agreesWithoutNaNs(feats, wasm) {
  const denan = wasm.replace(/\.wasm$/, '-denan.wasm');
  const r = spawnSync('wasm-opt', [...feats, wasm, '--denan', '-o', denan]);
  if (r.status !== 0) return false;
  const [e, v] = both(denan);
  return e === v;
}
for (let seed = first; seed < first + count; seed++) {
  const feats = FEATURES[seed % FEATURES.length];
  const input = path.join(work, 'in.bin'), wasm = path.join(work, 'case.wasm');
  fs.writeFileSync(input, randomBytes(seed));
  const gen = spawnSync('wasm-opt', [...feats, '-ttf', input, '-o', wasm]);
  if (gen.status !== 0) { skipped++; continue; }
  const [ebbOut, v8Out] = both(wasm);
  if (ebbOut === v8Out) {
    // wasm-opt -ttf sometimes makes an invalid module: both must say so.
    if (ebbOut === 'invalid\n') invalid++;
    pass++;
    continue;
  }
  const nan = agreesWithoutNaNs(feats, wasm);
  if (nan) { pass++; nans++; } else { fail++; }
  const dir = path.join(out, (nan ? 'nan-seed-' : 'seed-') + seed);
  fs.mkdirSync(dir, {recursive: true});
  fs.copyFileSync(wasm, path.join(dir, 'case.wasm'));
  fs.writeFileSync(path.join(dir, 'ebb.out'), ebbOut);
  fs.writeFileSync(path.join(dir, 'v8.out'), v8Out);
  fs.writeFileSync(path.join(dir, 'repro.sh'),
    '#!/bin/sh\n# ebb and V8 disagree on this module: compare the two outputs.\n' +
    'cd "$(dirname "$0")"\n' +
    `"${driver}" case.wasm > ebb.now; "${driver}" --sigs case.wasm > sigs\n` +
    `node "${path.resolve(__dirname, 'diff_driver.js')}" case.wasm sigs > v8.now\n` +
    'diff ebb.now v8.now\n', {mode: 0o755});
  console.log(nan ? `seed ${seed}: NaN bits differ, nothing else (${dir})`
                  : `seed ${seed}: ebb and V8 disagree (${dir})`);
}
fs.rmSync(work, {recursive: true, force: true});
console.log(`differential: ${skipped} seeds skipped by wasm-opt, ` +
            `${invalid} modules invalid in both engines, ` +
            `${pass - invalid} run in both, ` +
            `${nans} differ only in NaN bits`);
console.log(`${pass} passed, ${fail} failed`);
