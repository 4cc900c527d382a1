// Runs a sightglass-style component (WASI 0.2 command importing bench.start
// and bench.end) under Node, through jco's transpiler and its WASI 0.2 shim,
// and prints the table bench/node_wasi.js prints, so bench/compare.sh can
// set it beside `ebb bench`:
//   JCO_DIR=DIR node bench/node_component.mjs [--runs N] COMPONENT.wasm
// DIR holds node_modules with @bytecodealliance/jco (compare.sh installs
// it there). Each run is a child process with the program's folder as
// working directory and preopened ".", its stdout and stderr captured and
// compared with the expected files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const jcoDir = process.env.JCO_DIR;
const req = (m) => path.join(jcoDir, 'node_modules', m);

// The child: instantiate the transpiled component, run wasi:cli/run, write
// the bench marks to the file named by EBB_MARKS.
async function child(out) {
    const p2 = await import(pathToFileURL(req('@bytecodealliance/preview2-shim/dist/nodejs/index.js')));
    const gen = await import(pathToFileURL(path.join(out, 'component.js')));
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
    const m = { n: 0 };
    const bench = {
        start() { m.n++; m.cpu0 = cpu(); m.t0 = performance.now(); },
        end() { m.t1 = performance.now(); m.cpu1 = cpu(); m.n++; },
    };
    p2.filesystem._clearPreopens();
    p2.filesystem._addPreopen('.', process.cwd());
    const imports = { bench };
    for (const [iface, mod] of [['wasi:cli/stdout', p2.cli.stdout],
                                ['wasi:cli/stderr', p2.cli.stderr],
                                ['wasi:cli/stdin', p2.cli.stdin],
                                ['wasi:cli/environment', p2.cli.environment],
                                ['wasi:cli/exit', p2.cli.exit],
                                ['wasi:filesystem/preopens', p2.filesystem.preopens],
                                ['wasi:filesystem/types', p2.filesystem.types],
                                ['wasi:io/error', p2.io.error],
                                ['wasi:io/streams', p2.io.streams],
                                ['wasi:clocks/monotonic-clock', p2.clocks.monotonicClock],
                                ['wasi:clocks/wall-clock', p2.clocks.wallClock],
                                ['wasi:random/random', p2.random.random]])
        imports[iface] = mod;
    const core = async (name) => WebAssembly.compile(fs.readFileSync(path.join(out, name)));
    const root = await gen.instantiate(core, imports);
    const run = Object.entries(root).find(([k]) => k.startsWith('wasi:cli/run'))[1];
    run.run();
    fs.writeFileSync(process.env.EBB_MARKS,
                     JSON.stringify({ n: m.n, run: m.t1 - m.t0, cpu: m.cpu1 - m.cpu0 }));
}

function stats(v) {
    const s = [...v].sort((a, b) => a - b);
    const n = s.length;
    return [n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, s[0], s[n - 1]];
}

function parent(argv) {
    let runs = 1;
    if (argv[0] === '--runs') { runs = parseInt(argv[1], 10); argv = argv.slice(2); }
    if (argv.length !== 1 || !(runs >= 1) || !jcoDir) {
        console.error('usage: JCO_DIR=DIR node node_component.mjs [--runs N] COMPONENT.wasm');
        process.exit(2);
    }
    const abs = path.resolve(argv[0]);
    const dir = path.dirname(abs), stem = path.basename(abs).replace(/\.[^.]*$/, '');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ebb-node-cm-'));
    const out = path.join(tmp, 'gen');
    const jco = spawnSync(process.execPath, [path.join(jcoDir, 'node_modules', '.bin', 'jco'), 'transpile',
        abs, '--name', 'component', '--instantiation', 'async', '-q', '-o', out], { encoding: 'utf8' });
    if (jco.status !== 0) {
        console.log(`${argv[0]}\n  output: FAILED (jco transpile: ${jco.stderr.trim()})`);
        process.exit(1);
    }
    fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
    const want = (k) => [stem, 'default'].map((s) => path.join(dir, `${s}.${k}.expected`))
        .find((f) => fs.existsSync(f));
    const times = { run: [], cpu: [] };
    let ok = true, error = null;
    for (let i = 0; i < runs && !error; i++) {
        const files = ['stdout', 'stderr', 'marks'].map((k) => path.join(tmp, k));
        const fds = files.slice(0, 2).map((f) => fs.openSync(f, 'w'));
        const r = spawnSync(process.execPath, ['--no-warnings', new URL(import.meta.url).pathname,
            '--child', out], { cwd: dir, stdio: ['ignore', fds[0], fds[1]],
            env: { ...process.env, EBB_MARKS: files[2] } });
        fds.forEach((fd) => fs.closeSync(fd));
        if (r.status !== 0 || !fs.existsSync(files[2])) { error = `exit ${r.status}`; break; }
        const m = JSON.parse(fs.readFileSync(files[2], 'utf8'));
        fs.rmSync(files[2]);
        if (m.n !== 2) { error = 'bench.start/end not called once each'; break; }
        times.run.push(m.run);
        times.cpu.push(m.cpu);
        for (const [k, f] of [['stdout', files[0]], ['stderr', files[1]]]) {
            const w = want(k);
            if (w && !fs.readFileSync(w).equals(fs.readFileSync(f))) ok = false;
        }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(argv[0]);
    console.log(`  output: ${error ? `FAILED (${error})` : ok ? 'matches the expected files' : 'MISMATCH'}`);
    if (!error)
        for (const [k, label] of [['run', 'start->end'], ['cpu', '  (cpu)']]) {
            const [med, min, max] = stats(times[k]).map((x) => x.toFixed(3).padStart(12));
            console.log(`  ${label.padEnd(12)} ${med} ${min} ${max}`);
        }
    process.exitCode = error || !ok ? 1 : 0;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else parent(process.argv.slice(2));
