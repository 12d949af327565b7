/**
 * `npm start`: builds (via the npm script), starts the lab, opens each installed browser with the
 * extension, walks through the attack scenarios and prints what tapguard recorded for each.
 * Headless where there is no display; with a display, Chromium stays open afterwards to explore.
 */
import { requireBrowserBinary } from '../tests/e2e/browsers';
import { startLabSession, visit } from '../tests/e2e/scenario-runner';
import { LAB_HOSTS, startLab, type Scenario } from './server';

interface Step {
  scenario: Scenario;
  host: keyof typeof LAB_HOSTS;
  path: string;
  scheme?: 'http' | 'https';
  note: string;
  firefoxOnly?: boolean;
}

/** Every lab scenario, in an order a user's history could take: clean visits teach the baseline first. */
const STEPS: Step[] = [
  { scenario: 'clean', host: 'mail', path: '/', note: 'first visit: tapguard recognises the webmail and learns it' },
  { scenario: 'clean', host: 'mail', path: '/?_task=mail', note: 'inbox' },
  { scenario: 'clean', host: 'chat', path: '/', note: 'chat over wss' },
  { scenario: 'clean', host: 'mail', path: '/', note: 'another ordinary visit' },
  { scenario: 'leaf-rotation', host: 'mail', path: '/', note: 'new leaf certificate from the same CA (routine renewal)' },
  { scenario: 'injected-script', host: 'mail', path: '/', note: 'a third-party script added to the page, CSP loosened for it' },
  { scenario: 'inline-script', host: 'mail', path: '/', note: 'inline code added to the page' },
  { scenario: 'blocked-script', host: 'mail', path: '/', note: "an injected script the page's own CSP refuses" },
  { scenario: 'hidden-iframe', host: 'mail', path: '/?_task=mail', note: 'an invisible third-party frame' },
  { scenario: 'injected-in-frame', host: 'mail', path: '/?_task=mail', note: 'the same script added only inside the reading-pane frame (a repeat of the first)' },
  { scenario: 'script-changed', host: 'mail', path: '/', note: 'same script address, other bytes (Firefox can see it)' },
  { scenario: 'stripped-headers', host: 'mail', path: '/', note: 'HSTS and CSP removed' },
  { scenario: 'https-to-http-redirect', host: 'chat', path: '/', note: 'a secure link redirected to http' },
  { scenario: 'http-page', host: 'chat', path: '/', scheme: 'http', note: 'https made to fail, page served over http (sslstrip)' },
  { scenario: 'interception-ca', host: 'mail', path: '/', note: 'a second CA, trusted in the browser, issues for the same host' },
  { scenario: 'weak-tls', host: 'mail', path: '/', note: 'TLS 1.2 with a CBC cipher (Chromium refuses the handshake)', firefoxOnly: true },
  { scenario: 'old-tls', host: 'mail', path: '/', note: 'TLS 1.1 forced by a middlebox (Chromium refuses the handshake)', firefoxOnly: true },
  { scenario: 'mixed-content', host: 'mail', path: '/?_task=mail', note: 'an http image on the https page (Chromium upgrades it unseen)', firefoxOnly: true },
];

async function main() {
  const lab = await startLab();
  const headed = Boolean(process.env.DISPLAY) && !process.env.CI;
  console.log(`lab running: ${lab.url('mail')} and ${lab.url('chat')} (CA ${lab.caCertPath})\n`);
  let failures = 0;
  for (const name of ['chromium', 'firefox'] as const) {
    try {
      requireBrowserBinary(name);
    } catch (error) {
      // The README's first command promises the demo in both browsers: a skipped one is a failure.
      console.error(`${name}: NOT RUN. ${(error as Error).message}\n`);
      failures++;
      continue;
    }
    const { session, probe, close } = await startLabSession(name, {
      lab,
      ...(headed && name === 'chromium' ? { headless: false } : {}),
      // Current Firefox offers no CBC suite, no TLS 1.1 and upgrades http images by default; an old
      // or enterprise-configured profile would not, and that is what the last steps show.
      extraPrefsFirefox: {
        'security.ssl3.ecdhe_ecdsa_aes_128_sha': true,
        'security.tls.version.min': 2,
        'security.tls.version.enable-deprecated': true,
        'security.mixed_content.upgrade_display_content': false,
      },
    });
    try {
      console.log(`== ${name} ==`);
      for (const step of STEPS) {
        if (step.firefoxOnly && name !== 'firefox') continue;
        const result = await visit(session, probe, lab, step.scenario, lab.url(step.host, step.path, step.scheme ?? 'https'));
        console.log(`-- ${step.scenario}: ${step.note}`);
        console.log(`   popup: [${result.popup.level}] ${result.popup.headline}${result.popup.badge ? ` (badge ${result.popup.badge})` : ''}`);
        for (const event of result.popup.events) console.log(`   event:        ${event.headline} (${event.signs.length} ${event.signs.length === 1 ? 'sign' : 'signs'})`);
        const findings = result.incidents.filter((i) => (i.kind as string) !== 'event');
        if (findings.length === 0) console.log('   new incidents: none');
        for (const i of findings) console.log(`   new incident: ${i.severity.padEnd(8)} ${i.rule.padEnd(26)} ${i.title}`);
        const repeats = result.popup.incidentTitles.filter((title) => !result.incidents.some((i) => i.title === title));
        for (const title of repeats) console.log(`   seen again:   ${title}`);
        if (step.scenario === 'clean' && findings.some((i) => i.severity !== 'info' && i.severity !== 'low')) failures++;
      }
      if (name === 'chromium') console.log('   (certificate checks need Firefox, or Chrome with deep inspection switched on in the options)');
      console.log('');
      if (headed && name === 'chromium') {
        console.log('Chromium stays open with the extension and the lab; press Ctrl-C to end.');
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
    } finally {
      await close();
    }
  }
  await lab.close();
  if (failures) {
    console.error(`${failures} failure(s): a browser that could not run, or a clean page that raised incidents of medium or above`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
