// Copies the noteplate binary into server/noteplate so `vsce package --target linux-x64` ships it.
// The binary comes from $NOTEPLATE_BIN, else ../../target/release/noteplate, else ../../target/debug/noteplate.
// With --clean, removes server/ instead, so the universal package never carries a Linux binary.
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(extensionRoot, '..', '..');
if (process.argv.includes('--clean')) {
  rmSync(join(extensionRoot, 'server'), { recursive: true, force: true });
  process.exit(0);
}
// A NOTEPLATE_BIN that names nothing is an error, not a reason to ship another build.
if (process.env.NOTEPLATE_BIN && !existsSync(process.env.NOTEPLATE_BIN)) {
  console.error(`bundle-server: NOTEPLATE_BIN=${process.env.NOTEPLATE_BIN} does not exist`);
  process.exit(1);
}
const candidates = [
  process.env.NOTEPLATE_BIN,
  join(repositoryRoot, 'target', 'release', 'noteplate'),
  join(repositoryRoot, 'target', 'debug', 'noteplate'),
].filter(Boolean);

const source = candidates.find((candidate) => existsSync(candidate));
if (!source) {
  console.error(`bundle-server: no noteplate binary; looked at:\n  ${candidates.join('\n  ')}`);
  process.exit(1);
}
const destination = join(extensionRoot, 'server', 'noteplate');
mkdirSync(dirname(destination), { recursive: true });
copyFileSync(source, destination);
chmodSync(destination, 0o755);
console.log(`bundle-server: ${source} -> ${destination}`);
