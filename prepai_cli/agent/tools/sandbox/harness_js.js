'use strict';
// Runs inside the sandboxed node process: loads the candidate's code into a vm context, calls the function
// once per test the parent asks for (an index on the request pipe) with a per-test timeout, and writes one
// JSON line per test to the results pipe.
// node's permission model (started by the parent) denies child processes, workers and file access outside
// the work dir; the patches below turn network attempts into a clear verdict. The OS limits and the network
// namespace set by the parent are the real boundary.
const fs = require('fs');
const util = require('util');
const vm = require('vm');

const CONFIG = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const REQUEST_FD = Number(process.argv[3]);
const RESULTS_FD = Number(process.argv[4]);
const KEPT = Number(CONFIG.kept_output_chars);
const MAX_RESULT_BYTES = 64 * 1024;

function emit(record) {
  fs.writeSync(RESULTS_FD, JSON.stringify(record) + '\n');
}

// {index, nonce} from the parent, one per line; null once it closes the pipe. Blocking between tests is fine.
let pending = '';
function nextRequest() {
  const chunk = Buffer.alloc(4096);
  while (!pending.includes('\n')) {
    let n;
    try {
      n = fs.readSync(REQUEST_FD, chunk, 0, chunk.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      throw error;
    }
    if (n === 0) return null;
    pending += chunk.toString('utf8', 0, n);
  }
  const at = pending.indexOf('\n');
  const [index, nonce] = pending.slice(0, at).split(' ');
  pending = pending.slice(at + 1);
  return { index: Number(index), nonce };
}

class SandboxViolation extends Error {
  constructor(what) {
    super(`the sandbox blocked ${what}`);
    this.code = 'PREPAI_SANDBOX_VIOLATION';
  }
}

const blockedNetwork = () => { throw new SandboxViolation('network access'); };

function blockNetwork() {
  const net = require('net');
  net.Socket.prototype.connect = blockedNetwork;
  net.Server.prototype.listen = blockedNetwork;
  const dgram = require('dgram');
  dgram.Socket.prototype.bind = blockedNetwork;
  dgram.Socket.prototype.send = blockedNetwork;
  const dns = require('dns');
  dns.lookup = blockedNetwork;
  dns.resolve = blockedNetwork;
}

// Loading net, dgram and dns costs every run ~10 ms of CPU, so their patches wait until the candidate asks
// for a module that can reach the network; code that goes around this meets the network namespace or seccomp.
const NETWORK_MODULES = new Set(['net', 'dgram', 'dns', 'dns/promises', 'http', 'https', 'http2', 'tls']);
let networkBlocked = false;
function candidateRequire(name) {
  if (!networkBlocked && NETWORK_MODULES.has(String(name).replace(/^node:/, ''))) {
    blockNetwork();
    networkBlocked = true;
  }
  return require(name);
}

class Capped {
  constructor() { this.text = ''; this.dropped = 0; }
  write(s) {
    const room = KEPT - this.text.length;
    if (room > 0) this.text += s.slice(0, room);
    this.dropped += Math.max(0, s.length - Math.max(room, 0));
  }
  value() { return this.dropped ? `${this.text}\n… ${this.dropped} more characters` : this.text; }
}

function capturingConsole(out, err) {
  const line = (sink) => (...args) => sink.write(util.format(...args) + '\n');
  return {
    log: line(out), info: line(out), debug: line(out), dir: line(out), table: line(out),
    error: line(err), warn: line(err), trace: line(err),
    assert: (ok, ...args) => { if (!ok) err.write('Assertion failed: ' + util.format(...args) + '\n'); },
  };
}

function jsonable(value, depth = 0) {
  if (depth > 50) return { __unserialisable__: 'nested too deeply' };
  if (value === undefined || value === null) return null;
  const t = typeof value;
  if (t === 'boolean' || t === 'string') return value;
  if (t === 'number') return Number.isFinite(value) ? value : { __unserialisable__: String(value) };
  if (t === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : { __unserialisable__: `${value}n` };
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value, (v) => jsonable(v, depth + 1));
  if (value instanceof Set || Object.prototype.toString.call(value) === '[object Set]') {
    return Array.from(value, (v) => jsonable(v, depth + 1));
  }
  if (value instanceof Map || Object.prototype.toString.call(value) === '[object Map]') {
    const out = {};
    for (const [k, v] of value) out[String(k)] = jsonable(v, depth + 1);
    return out;
  }
  if (t === 'object') {
    const out = {};
    for (const k of Object.keys(value)) out[k] = jsonable(value[k], depth + 1);
    return out;
  }
  return { __unserialisable__: util.inspect(value).slice(0, 200) };
}

function describe(error) {
  if (error && typeof error === 'object' && 'message' in error) {
    const name = error.name || 'Error';
    return error.message ? `${name}: ${String(error.message).slice(0, 1000)}` : name;
  }
  return `threw ${util.inspect(error).slice(0, 200)}`;
}

function classify(error) {
  const code = error && typeof error === 'object' ? error.code : undefined;
  if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return ['timeout', 'time limit'];
  if (code === 'PREPAI_SANDBOX_VIOLATION') return ['sandbox_violation', error.message];
  if (code === 'ERR_ACCESS_DENIED') {
    const what = error.permission ? ` (${error.permission})` : '';
    return ['sandbox_violation', `the sandbox blocked an operation${what}: ${error.message}`];
  }
  if (code === 'EFBIG') return ['sandbox_violation', 'the sandbox blocked writing a file larger than the limit'];
  if (error instanceof RangeError && /allocation failed|Array buffer allocation|Invalid typed array length|Invalid array length/i.test(error.message)) {
    return ['memory_limit', describe(error)];
  }
  return ['error', describe(error)];
}

function withTimeout(promise, ms) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('time limit'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' })), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

async function main() {
  globalThis.fetch = blockedNetwork;  // replaces the lazy getter without loading fetch's implementation
  const source = fs.readFileSync(CONFIG.code_path, 'utf8');
  const state = { out: new Capped(), err: new Capped() };
  const sandboxConsole = {};
  for (const name of ['log', 'info', 'debug', 'dir', 'table', 'error', 'warn', 'trace', 'assert']) {
    sandboxConsole[name] = (...args) => capturingConsole(state.out, state.err)[name](...args);
  }
  // Writes straight to process.stdout would queue in memory on a pipe, so they go to the per-test buffers too.
  process.stdout.write = (chunk) => { state.out.write(String(chunk)); return true; };
  process.stderr.write = (chunk) => { state.err.write(String(chunk)); return true; };
  const module = { exports: {} };
  const context = vm.createContext({
    console: sandboxConsole, require: candidateRequire, module, exports: module.exports, process, Buffer,
    setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask,
    structuredClone, TextEncoder, TextDecoder, URL,
  });
  const startupMs = Math.round(Number(CONFIG.startup_seconds) * 1000);
  const testMs = Math.round(Number(CONFIG.wall_seconds_per_test) * 1000);
  let script;
  try {
    script = new vm.Script(source, { filename: 'solution.js' });
  } catch (error) {
    emit({ kind: 'load', ok: false, status: 'compile_error', error: describe(error) });
    return;
  }
  try {
    script.runInContext(context, { timeout: startupMs });
  } catch (error) {
    const [status, message] = classify(error);
    emit({ kind: 'load', ok: false, status: status === 'error' ? 'compile_error' : status,
           error: status === 'error' ? `loading your code raised ${message}` : message });
    return;
  }
  const name = CONFIG.function_name;
  // Functions declared at top level, `const f = ...` (script-scoped lexical bindings), or CommonJS exports.
  const found = vm.runInContext(
    `(() => { try { return ${name}; } catch (e) { return undefined; } })()`, context, { timeout: startupMs });
  const exported = module.exports && (typeof module.exports === 'function' ? module.exports : module.exports[name]);
  const fn = typeof found === 'function' ? found : exported;
  if (typeof fn !== 'function') {
    emit({ kind: 'load', ok: false, status: 'compile_error', error: `your code does not define a function named ${name}` });
    return;
  }
  context.__prepai_fn = fn;
  emit({ kind: 'load', ok: true, stdout: state.out.value(), stderr: state.err.value() });

  const call = new vm.Script('__prepai_fn(...JSON.parse(__prepai_args))', { filename: 'prepai-harness' });
  for (let request = nextRequest(); request !== null; request = nextRequest()) {
    const { index, nonce } = request;
    state.out = new Capped();
    state.err = new Capped();
    // Parsed inside the context per test: fresh arrays of the candidate's realm, immune to earlier mutation.
    context.__prepai_args = CONFIG.tests[index];
    const record = { kind: 'test', index, nonce };
    const started = process.hrtime.bigint();
    try {
      let result = call.runInContext(context, { timeout: testMs });
      if (result && typeof result.then === 'function') {
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        result = await withTimeout(result, Math.max(1, testMs - elapsed));
      }
      record.status = 'returned';
      const encoded = JSON.stringify(jsonable(result));
      record.actual = encoded.length > MAX_RESULT_BYTES
        ? { __unserialisable__: `a result of ${encoded.length} bytes, too large to compare` }
        : JSON.parse(encoded);
    } catch (error) {
      const [status, message] = classify(error);
      record.status = status;
      record.error = message;
    }
    record.time_ms = Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
    record.stdout = state.out.value();
    record.stderr = state.err.value();
    emit(record);
  }
}

main().then(() => process.exit(0), (error) => {
  fs.writeSync(2, `harness failure: ${describe(error)}\n`);
  process.exit(70);
});
