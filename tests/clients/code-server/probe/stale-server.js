// A stand-in for a stale `noteplate` on PATH: runs the real server and passes stdin and stdout through,
// except that the initialize response's serverInfo.version becomes the version given here (or is
// removed with `-`). The probe puts a `noteplate` script calling this first on PATH.
//
// Usage: node stale-server.js <reported-version | -> <real noteplate> [arguments...]

const { spawn } = require('node:child_process');

const [reported, real, ...args] = process.argv.slice(2);
if (!reported || !real) {
  process.stderr.write('usage: stale-server.js <reported-version | -> <real noteplate> [arguments...]\n');
  process.exit(2);
}

const child = spawn(real, args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdin.on('error', () => {});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => child.kill(signal));
}

const SEPARATOR = Buffer.from('\r\n\r\n');
let pending = Buffer.alloc(0);
let passThrough = false;

function send(body) {
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

/** The body with serverInfo.version replaced, if it is the initialize response; else undefined. */
function rewritten(body) {
  let message;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const serverInfo = message && message.result && message.result.serverInfo;
  if (!serverInfo || !message.result.capabilities) {
    return undefined;
  }
  if (reported === '-') {
    delete serverInfo.version;
  } else {
    serverInfo.version = reported;
  }
  return Buffer.from(JSON.stringify(message), 'utf8');
}

child.stdout.on('data', (chunk) => {
  if (passThrough) {
    process.stdout.write(chunk);
    return;
  }
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const end = pending.indexOf(SEPARATOR);
    if (end < 0) {
      return;
    }
    const length = /content-length: *(\d+)/i.exec(pending.subarray(0, end).toString('latin1'));
    if (!length) {
      // Not a frame this script understands: hand everything on unchanged from here.
      passThrough = true;
      process.stdout.write(pending);
      pending = Buffer.alloc(0);
      return;
    }
    const start = end + SEPARATOR.length;
    if (pending.length < start + Number(length[1])) {
      return;
    }
    const body = pending.subarray(start, start + Number(length[1]));
    const rest = pending.subarray(start + body.length);
    const changed = rewritten(body);
    if (changed) {
      send(changed);
      // Only the initialize response changes; everything after it goes through as it comes.
      passThrough = true;
      process.stdout.write(rest);
      pending = Buffer.alloc(0);
      return;
    }
    process.stdout.write(pending.subarray(0, start + body.length));
    pending = Buffer.from(rest);
  }
});

// 'close' comes after the server's stdout has been read to the end.
child.on('close', (code, signal) => process.exit(code === null ? (signal ? 1 : 0) : code));
child.on('error', (error) => {
  process.stderr.write(`stale-server.js: ${error.message}\n`);
  process.exit(1);
});
