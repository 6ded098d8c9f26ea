// Reads the probe's results.json, prints one line per check and exits non-zero on any failure.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let passed = 0;
let failed = 0;
for (const check of results.checks) {
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
