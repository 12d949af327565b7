/**
 * Experiment: the share of first loads of a mail page in a new tab whose certificate Chrome deep
 * inspection judges, and by which route: `debugger` (the attachment won the race and saw the
 * page's own responses) or `debugger-probe` (the page beat it; one probe request judged it).
 *
 *   npm run build:e2e-deep && npx tsx bench/experiments/deep-first-load.ts [trials]
 */
import path from 'node:path';
import { startLabSession, visit } from '../../tests/e2e/scenario-runner';
import { LAB_HOSTS } from '../../lab/server';

const TRIALS = Number(process.argv[2] ?? 20);
const WAIT_MS = 8_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const context = await startLabSession('chromium', { extensionDir: path.resolve('.output/e2e-deep/chrome-mv3'), settings: { deepInspection: true } });
const { lab, session, probe } = context;
try {
  // The first visit recognises the webmail; from then on it is a mail host for every new tab.
  const warm = await session.browser.newPage();
  for (let i = 0; i < 2; i++) await visit(session, probe, lab, 'clean', lab.url('mail', '/'), warm);
  await warm.close();

  const routes = new Map<string, number>();
  for (let trial = 0; trial < TRIALS; trial++) {
    const url = lab.url('mail', `/inbox?trial=${trial}`);
    const page = await session.browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const tabId = await probe.tabIdOf(url);
    let route = 'missed';
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(200)) {
      const json = (await probe.page.evaluate(`chrome.storage.session.get('deep:${tabId}').then((s) => JSON.stringify(s['deep:${tabId}'] ?? null))`)) as string;
      const judged = (JSON.parse(json) as { judged?: { host: string; source: string }[] } | null)?.judged ?? [];
      const page = judged.find((j) => j.host === LAB_HOSTS.mail);
      if (page) {
        route = page.source;
        break;
      }
    }
    routes.set(route, (routes.get(route) ?? 0) + 1);
    await page.close();
  }
  const judged = TRIALS - (routes.get('missed') ?? 0);
  console.log(`first loads judged: ${judged}/${TRIALS} (${((100 * judged) / TRIALS).toFixed(0)}%) within ${WAIT_MS / 1000} s`);
  for (const [route, count] of routes) console.log(`  ${route}: ${count}`);
} finally {
  await context.close();
}
