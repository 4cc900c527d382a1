#!/usr/bin/env node
// Runs sightglass-style benchmark programs under Node's WASI (require('wasi'))
// the way `ebb bench` does, and prints the same table, so the two can be
// compared (bench/compare.sh):
//   node bench/node_wasi.js [--runs N] PROGRAM.wasm...
// Per program: working directory and preopened "." = its folder; bench.start
// and bench.end timed with the monotonic clock; stdout/stderr captured and
// compared with <name>.stdout.expected / <name>.stderr.expected (else
// default.*.expected). Times: compile (WebAssembly.compile), instantiate
// (WASI object + instantiation), start->end (wall clock and CPU time).
// Exit status 1 on a mismatch.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { WASI } = require('wasi');

function nowMs() {
    return Number(process.hrtime.bigint()) / 1e6;
}

// The process's CPU time (user + system, all threads), ms.
function cpuMs() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
}

function expected(dir, name, kind) {
    for (const stem of [name, 'default']) {
        const f = path.join(dir, `${stem}.${kind}.expected`);
        if (fs.existsSync(f)) return fs.readFileSync(f);
    }
    return null;
}

async function runOnce(prog, bytes, capture) {
    const t = {};
    let t0 = nowMs();
    const module = await WebAssembly.compile(bytes);
    t.compile = nowMs() - t0;

    t0 = nowMs();
    const out = fs.openSync(capture.out, 'w+');
    const err = fs.openSync(capture.err, 'w+');
    const wasi = new WASI({
        version: 'preview1',
        args: [prog.file],
        env: {},
        preopens: { '.': '.' },
        stdin: fs.openSync('/dev/null', 'r'),
        stdout: out,
        stderr: err,
        returnOnExit: true,
    });
    const marks = { start: 0, end: 0, cpuStart: 0, cpuEnd: 0, nstart: 0, nend: 0 };
    const imports = {
        ...wasi.getImportObject(),
        bench: {
            start() { marks.nstart++; marks.cpuStart = cpuMs(); marks.start = nowMs(); },
            end() { marks.end = nowMs(); marks.cpuEnd = cpuMs(); marks.nend++; },
        },
    };
    const instance = await WebAssembly.instantiate(module, imports);
    t.instantiate = nowMs() - t0;
    const status = wasi.start(instance);
    fs.closeSync(out);
    fs.closeSync(err);
    if (status !== 0 && status !== undefined)
        throw new Error(`exit status ${status}`);
    if (marks.nstart !== 1 || marks.nend !== 1)
        throw new Error(`bench.start called ${marks.nstart} times, ` +
                        `bench.end ${marks.nend} times`);
    t.run = marks.end - marks.start;
    t.cpu = marks.cpuEnd - marks.cpuStart;
    const matched =
        (!prog.want.stdout || fs.readFileSync(capture.out).equals(prog.want.stdout)) &&
        (!prog.want.stderr || fs.readFileSync(capture.err).equals(prog.want.stderr));
    return { t, matched };
}

function stats(v) {
    const s = [...v].sort((a, b) => a - b);
    const n = s.length;
    const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return [median, s[0], s[n - 1]];
}

function fmt(x) {
    return x.toFixed(3).padStart(12);
}

async function benchProgram(file, runs, capture) {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    const base = path.basename(abs);
    const stem = base.replace(/\.[^.]*$/, '');
    const prog = {
        file: base,
        want: { stdout: expected(dir, stem, 'stdout'),
                stderr: expected(dir, stem, 'stderr') },
    };
    const bytes = fs.readFileSync(abs);
    const cwd = process.cwd();
    process.chdir(dir);
    const times = { compile: [], instantiate: [], run: [], cpu: [] };
    let matched = true, done = 0, error = null;
    try {
        for (; done < runs; done++) {
            const r = await runOnce(prog, bytes, capture);
            matched = matched && r.matched;
            for (const k of Object.keys(times)) times[k].push(r.t[k]);
        }
    } catch (e) {
        error = e;
    } finally {
        process.chdir(cwd);
    }
    console.log(file);
    const what = error ? `FAILED (${error.message})`
        : !matched ? 'MISMATCH'
        : prog.want.stdout || prog.want.stderr ? 'matches the expected files'
        : 'no expected files';
    console.log(`  output: ${what}; ${done} run${done === 1 ? '' : 's'}`);
    if (!error) {
        console.log(`  ${'ms'.padEnd(12)} ${'median'.padStart(12)} ` +
                    `${'min'.padStart(12)} ${'max'.padStart(12)}`);
        for (const [k, label] of [['compile', 'compile'],
                                  ['instantiate', 'instantiate'],
                                  ['run', 'start->end'], ['cpu', '  (cpu)']]) {
            const [med, min, max] = stats(times[k]);
            console.log(`  ${label.padEnd(12)} ${fmt(med)} ${fmt(min)} ${fmt(max)}`);
        }
    }
    return !error && matched;
}

async function main() {
    const argv = process.argv.slice(2);
    let runs = 1;
    while (argv.length && argv[0].startsWith('--')) {
        const opt = argv.shift();
        if (opt === '--runs') runs = parseInt(argv.shift(), 10);
        else if (opt.startsWith('--runs=')) runs = parseInt(opt.slice(7), 10);
        else { console.error(`unknown option ${opt}`); process.exit(2); }
    }
    if (!argv.length || !(runs >= 1)) {
        console.error('usage: node node_wasi.js [--runs N] PROGRAM.wasm...');
        process.exit(2);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ebb-node-bench-'));
    const capture = { out: path.join(tmp, 'stdout'), err: path.join(tmp, 'stderr') };
    let passed = 0, failed = 0;
    try {
        for (const f of argv) {
            if (await benchProgram(f, runs, capture)) passed++;
            else failed++;
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
}

main();
