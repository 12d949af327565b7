/**
 * One-off experiment: what the content script's start-up steps cost on the heavy page, timed with
 * performance.now() in a fresh isolated world (where a content script runs). A world creates its
 * DOM wrappers on first touch and keeps them, so each step's first pass is reported apart from
 * the mean of 50 repeats. Isolated worlds see performance.now() coarsened to 0.1 ms.
 *
 *   npx tsx bench/experiments/isolated-costs.ts
 */
import { startLab } from '../../lab/server';
import { launchWithExtension, loadOnce } from '../browsers';

const PAGE = '/heavy?nodes=5000&requests=150';
const STEPS = `({
  scripts: () => { const out = []; for (const e of document.scripts) { const t = (e.getAttribute('type') ?? '').trim().toLowerCase(); const src = e.src; out.push([t, src, e.hasAttribute('integrity')]); } return out.length; },
  scriptsIndexed: () => { const s = document.scripts; const out = []; for (let i = 0; i < s.length; i++) { const e = s[i]; out.push(e.src); } return out.length; },
  iframes: () => document.querySelectorAll('iframe').length,
  passwords: () => document.querySelectorAll('input[type="password" i]').length,
  combined: () => document.querySelectorAll('script, iframe, input[type="password" i]').length,
  forms: () => { let n = 0; for (const f of document.forms) { new URL(f.getAttribute('action') ?? '', document.baseURI); n++; } return n; },
  hostOf: () => new URL(location.href).hostname,
  recognise: () => document.querySelectorAll('#messagelist, #rcmbtn_compose, .rcmail, [name=_token], #login-form, .roundcube').length,
  json: () => JSON.stringify([...document.scripts].map((e) => ({ src: e.src, integrity: false }))).length,
})`;

const lab = await startLab();
const session = await launchWithExtension(lab, 'chromium');
try {
  for (let i = 0; i < 2; i++) await loadOnce(session, lab.url('mail', PAGE));
  const results: Record<string, { first: number[]; repeat: number[] }> = {};
  for (let run = 0; run < 8; run++) {
    const page = await session.browser.newPage();
    await page.goto(lab.url('mail', PAGE), { waitUntil: 'load' });
    const cdp = await page.createCDPSession();
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const { executionContextId } = (await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: `probe${run}` })) as { executionContextId: number };
    const { result } = (await cdp.send('Runtime.evaluate', {
      contextId: executionContextId,
      returnByValue: true,
      expression: `(() => { const steps = ${STEPS}; const out = {};
        for (const [name, step] of Object.entries(steps)) {
          let t = performance.now(); step(); const first = performance.now() - t;
          t = performance.now(); for (let i = 0; i < 50; i++) step(); out[name] = [first, (performance.now() - t) / 50];
        }
        return out; })()`,
    })) as { result: { value: Record<string, [number, number]> } };
    for (const [name, [first, repeat]] of Object.entries(result.value)) {
      results[name] ??= { first: [], repeat: [] };
      results[name].first.push(first);
      results[name].repeat.push(repeat);
    }
    await page.close();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(16)} first ${med(r.first).toFixed(3)} ms, repeated ${med(r.repeat).toFixed(3)} ms (medians of 8 pages)`);
} finally {
  await session.close();
  await lab.close();
}
