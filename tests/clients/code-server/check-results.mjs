// Reads the probe's results.json (and the notifications run.sh read from the page, a JSON array of
// messages), prints one line per check and exits non-zero on any failure.
import { existsSync, readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const notificationsFile = process.argv[3];
let passed = 0;
let failed = 0;
const checks = [...results.checks];
if (results.info?.staleWarning) {
  // The probe saw the extension decide to warn about a stale server; the page must show that warning.
  const notifications =
    notificationsFile && existsSync(notificationsFile) ? JSON.parse(readFileSync(notificationsFile, 'utf8')) : null;
  checks.push({
    name: 'stale noteplate on PATH: VS Code shows the warning as a notification',
    ok: Array.isArray(notifications) && notifications.some((text) => text.trim() === results.info.staleWarning),
    detail: { expected: results.info.staleWarning, shown: notifications },
  });
}
for (const check of checks) {
  if (check.ok) {
    passed += 1;
    console.log(`ok   ${check.name}`);
  } else {
    failed += 1;
    const detail = check.detail === undefined ? '' : `: ${JSON.stringify(check.detail)}`;
    console.log(`FAIL ${check.name}${detail}`);
  }
}
if (!results.done) {
  failed += 1;
  console.log('FAIL the probe did not finish in time');
}
const capabilities = results.info?.serverCapabilities;
if (capabilities) {
  console.log(
    `info server: ${JSON.stringify(results.info.serverInfo ?? null)}, diagnosticProvider: ${JSON.stringify(capabilities.diagnosticProvider ?? null)}`,
  );
}
console.log(`code-server: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
