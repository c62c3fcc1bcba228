// `npm test`: sets itself up, then runs every unit, kernel and e2e test, and ends with the line
// `N passed, N failed` counted from the reporters' JSON (vitest and Playwright).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureNodeModules, ensureSystemPackages, webgpuEnv } from './setup.mjs';

const REPORTS = '.reports';

function step(name, cmd, args, env = process.env) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status === 0;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

ensureNodeModules();
ensureSystemPackages();
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

const unitOk = step(
  'unit and kernel tests (vitest)',
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORTS}/vitest.json`],
  webgpuEnv(),
);

const buildOk = step('app build for e2e (vite)', 'npx', ['vite', 'build', '--logLevel', 'warn']);
const e2eOk = buildOk && step('e2e tests (Playwright, headless Chromium)', 'npx', ['playwright', 'test']);

const vitest = readJson(`${REPORTS}/vitest.json`);
const playwright = readJson(`${REPORTS}/playwright.json`);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  // A file that fails to load has no tests to count: count it as a failure.
  const brokenFiles = vitest.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed += brokenFiles.length;
  for (const f of brokenFiles) problems.push(`vitest could not run ${f.name}: ${f.message}`);
} else {
  failed += 1;
  problems.push('vitest wrote no report');
}

if (!buildOk) {
  failed += 1;
  problems.push('the app did not build, so no e2e test ran');
} else if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
  for (const e of playwright.errors ?? []) problems.push(`playwright: ${e.message?.split('\n')[0]}`);
  if ((playwright.errors ?? []).length > 0 && playwright.stats.unexpected === 0) failed += 1;
} else {
  failed += 1;
  problems.push('Playwright wrote no report');
}

if (!unitOk && failed === 0) {
  failed += 1;
  problems.push('vitest exited with an error');
}
if (buildOk && !e2eOk && failed === 0) {
  failed += 1;
  problems.push('Playwright exited with an error');
}

console.log('');
for (const p of problems) console.log(`problem: ${p}`);
// The last line is exactly `N passed, N failed` (CI reads it); skipped tests are counted on the line before.
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && existsSync(`${REPORTS}/vitest.json`) ? 0 : 1);
