/**
 * End-to-end browser harness: launches Debian's Chromium or Firefox ESR through puppeteer-core with
 * an optional unpacked extension, test CAs trusted in a throwaway profile only, and chosen host
 * names resolved to 127.0.0.1 inside the browser only. Nothing here touches the system trust store,
 * /etc/hosts or the user's real profile, and nothing is downloaded.
 *
 * Chromium: CDP over a pipe; the extension is loaded with `Extensions.loadUnpacked`
 * (`browser.installExtension`). Trusted CAs go into `$HOME/.pki/nssdb`, with HOME pointed at a temp
 * dir for the browser process. Host mapping uses `--host-resolver-rules`.
 *
 * Both: the extension is installed from a private copy (plus PROBE_PAGE), and launch() waits until
 * its background (MV3 service worker / MV2 background page) has run, so listeners registered at
 * top level see the very first navigation.
 *
 * Firefox: WebDriver BiDi; the extension is installed as a temporary add-on
 * (`webExtension.install`). Its moz-extension UUID is fixed beforehand through the
 * `extensions.webextensions.uuids` pref, so the manifest must carry a gecko id. Trusted CAs go
 * into the profile's own `cert9.db`, created before launch. Host mapping uses
 * `network.dns.localDomains`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants, existsSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Browser, LaunchOptions as PuppeteerLaunchOptions, Page, WebWorker } from 'puppeteer-core';

export type BrowserName = 'chromium' | 'firefox';

export interface LaunchOptions {
  /** Show the browser window (the demo on a machine with a display); default headless. */
  headless?: boolean;
  /** Unpacked built extension; omit to launch without it (benchmarks compare). */
  extensionDir?: string;
  /** PEM CA certs to trust in THIS profile only (never the system store). */
  trustCaPems: string[];
  /**
   * Host names to resolve to 127.0.0.1 inside the browser only. Chromium: every other name (except
   * localhost and loopback literals) fails with ERR_NAME_NOT_RESOLVED. Firefox: other names still
   * go to the system resolver.
   */
  hostMap: string[];
  /** Firefox only: extra prefs, applied after (so overriding) the harness's own. */
  extraPrefsFirefox?: Record<string, unknown>;
  /** Extra command-line args for the browser (Chromium: a later --host-resolver-rules replaces the harness's). */
  extraArgs?: string[];
  /** Pipe the browser's stdout/stderr to this process (debugging). */
  dumpio?: boolean;
}

export interface Session {
  name: BrowserName;
  browser: Browser;
  /**
   * Chrome extension id (Chromium; derived from the path of the harness's private copy of the
   * extension, so it differs per launch), or the gecko id (Firefox).
   */
  extensionId?: string;
  /** 'chrome-extension://<id>' or 'moz-extension://<uuid>' (no trailing slash). */
  extensionOrigin?: string;
  /**
   * Opens e.g. '/popup.html?tab=3' in a new tab; resolves once it is loaded and ready to evaluate.
   * PROBE_PAGE is a script-free page the harness adds. Firefox caveats for the returned Page:
   * page.url() stays 'about:blank' (use currentUrl(page)), page.goto()/reload() to moz-extension
   * URLs never resolve, and 'console' events are not delivered; evaluate, $eval, waitForSelector,
   * waitForFunction, click, keyboard and screenshot work.
   */
  openExtensionPage(path: string): Promise<Page>;
  /** Closes the browser (killing it if it hangs) and removes the temp profile dirs. */
  close(): Promise<void>;
}

const BINARIES: Record<BrowserName, { path: string; install: string }> = {
  chromium: { path: '/usr/bin/chromium', install: 'apt-get install -y chromium' },
  firefox: { path: '/usr/bin/firefox-esr', install: 'apt-get install -y firefox-esr libnss3-tools' },
};
const CERTUTIL_INSTALL = 'apt-get install -y libnss3-tools';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findCertutil(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin']) {
    const candidate = path.join(dir, 'certutil');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Path of the browser binary, or throws an Error saying how to install it on Debian.
 * Firefox also needs NSS's certutil (to build the profile's cert9.db), so it is checked too.
 */
export function requireBrowserBinary(name: BrowserName): string {
  const bin = BINARIES[name];
  const missing: string[] = [];
  if (!isExecutable(bin.path)) missing.push(bin.path);
  if (name === 'firefox' && !findCertutil()) missing.push('certutil');
  if (missing.length > 0) {
    throw new Error(
      `${name} e2e tests need ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed. ` +
        `On Debian, install with: ${bin.install}`,
    );
  }
  return bin.path;
}

function requireCertutil(): string {
  const certutil = findCertutil();
  if (!certutil) {
    throw new Error(`certutil (NSS tools) is not installed. On Debian, install with: ${CERTUTIL_INSTALL}`);
  }
  return certutil;
}

/** Creates an empty NSS sql: database in `dir` and adds each PEM as a trusted CA ("C,,"). */
async function makeNssDb(dir: string, caPems: string[], scratch: string): Promise<void> {
  const certutil = requireCertutil();
  await mkdir(dir, { recursive: true });
  const run = (args: string[]) => {
    try {
      execFileSync(certutil, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`certutil ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
    }
  };
  run(['-N', '-d', `sql:${dir}`, '--empty-password']);
  for (const [i, pem] of caPems.entries()) {
    const file = path.join(scratch, `trust-ca-${i}.pem`);
    await writeFile(file, pem);
    run(['-A', '-d', `sql:${dir}`, '-t', 'C,,', '-n', `tapguard-e2e-ca-${i}`, '-i', file]);
  }
}

interface Manifest {
  manifest_version?: number;
  permissions?: string[];
  background?: { service_worker?: string; scripts?: string[]; page?: string };
  browser_specific_settings?: { gecko?: { id?: string } };
  applications?: { gecko?: { id?: string } };
}

function readManifest(extensionDir: string): Manifest {
  const manifestPath = path.join(extensionDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No manifest.json in ${extensionDir} (build the extension first)`);
  return JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
}

function geckoIdOf(manifest: Manifest, extensionDir: string): string {
  const id = manifest.browser_specific_settings?.gecko?.id ?? manifest.applications?.gecko?.id;
  if (!id) {
    throw new Error(
      `${extensionDir}/manifest.json has no browser_specific_settings.gecko.id; Firefox e2e needs a fixed id to pre-assign the moz-extension UUID`,
    );
  }
  return id;
}

/**
 * A script-free page that the harness adds to its private copy of the extension. Opening it gives
 * an extension-origin document (for IndexedDB / storage.local reads) without running any of the
 * extension's own UI code. Firefox's background-readiness check uses it too. (Not '__…': Chromium
 * refuses to load an extension containing a file whose name starts with '_'.)
 */
export const PROBE_PAGE = '/tapguard-e2e-probe.html';
const PROBE_HTML = '<!doctype html><meta charset="utf-8"><title>tapguard e2e probe</title>\n';

/**
 * Browsers read an unpacked extension's files lazily, so the harness installs a private copy:
 * a rebuild of .output during a run cannot pull files from under the browser.
 */
async function copyExtension(extensionDir: string, root: string): Promise<string> {
  const dest = path.join(root, 'extension');
  await cp(path.resolve(extensionDir), dest, { recursive: true });
  await writeFile(path.join(dest, PROBE_PAGE.slice(1)), PROBE_HTML);
  return dest;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Prefs that keep Firefox from talking to anything but the pages a test opens. They come on top of
 * the ones @puppeteer/browsers already writes (which disable app updates, safebrowsing features,
 * data reporting, extension updates, and point the remote-settings server at a dummy host).
 */
const FIREFOX_QUIET_PREFS: Record<string, unknown> = {
  // App updates, system add-on updates, blocklist, add-on metadata.
  'app.update.auto': false,
  'app.update.staging.enabled': false,
  'app.update.url': '',
  'extensions.systemAddon.update.enabled': false,
  'extensions.systemAddon.update.url': '',
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.getAddons.discovery.api_url': '',
  'extensions.getAddons.get.url': '',
  'extensions.getAddons.search.browseURL': '',
  'extensions.htmlaboutaddons.recommendations.enabled': false,
  'browser.discovery.enabled': false,
  // Remote settings (also used by CRLite, intermediates preloading, translations, ASRouter...).
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'security.OCSP.enabled': 0,
  // Telemetry, health report, coverage, pings.
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': 'data:,',
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.coverage.opt-out': true,
  'toolkit.coverage.opt-out': true,
  'toolkit.coverage.endpoint.base': '',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.policy.firstRunURL': '',
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  // Studies / experiments.
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'nimbus.rollouts.enabled': false,
  // Safe Browsing list updates and lookups.
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.passwords.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google.gethashURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google4.gethashURL': '',
  'browser.safebrowsing.provider.google4.dataSharingURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.mozilla.gethashURL': '',
  'privacy.trackingprotection.enabled': false,
  'privacy.trackingprotection.pbmode.enabled': false,
  // Captive portal / connectivity checks.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'captivedetect.canonicalURL': '',
  // DNS: no DoH (and no DoH heuristics), no prefetch, no speculative connects.
  'network.trr.mode': 5,
  'doh-rollout.disable-heuristics': true,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'browser.urlbar.speculativeConnect.enabled': false,
  'browser.places.speculativeConnect.enabled': false,
  'network.proxy.type': 0,
  // Region / geo / search.
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'geo.provider.network.url': '',
  'browser.search.update': false,
  'browser.search.suggest.enabled': false,
  'browser.urlbar.suggest.searches': false,
  'browser.urlbar.quicksuggest.enabled': false,
  // Push.
  'dom.push.enabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  // New tab / top sites / Contile / Pocket.
  'browser.newtabpage.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.topsites': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.default.sites': '',
  'extensions.pocket.enabled': false,
  // First-run / onboarding / accounts / media plugins / ML & translations.
  'browser.shell.checkDefaultBrowser': false,
  'browser.aboutwelcome.enabled': false,
  'trailhead.firstrun.didSeeAboutWelcome': true,
  'identity.fxaccounts.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-widevinecdm.enabled': false,
  'browser.translations.enable': false,
  'browser.translations.automaticallyPopup': false,
  'browser.ml.enable': false,
  'browser.ml.chat.enabled': false,
};

/**
 * Mapped hosts go to 127.0.0.1; every other name fails at once with ERR_NAME_NOT_RESOLVED instead
 * of reaching the system resolver (Debian's Chromium otherwise looks up e.g. accounts.google.com
 * at startup). Loopback literals and localhost are excluded from the rules so they keep working.
 */
function chromiumHostRules(hostMap: string[]): string {
  return [
    ...hostMap.map((h) => `MAP ${h} 127.0.0.1`),
    'MAP * ~NOTFOUND',
    'EXCLUDE localhost',
    'EXCLUDE 127.0.0.1',
    'EXCLUDE ::1',
  ].join(', ');
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-domain-reliability',
  '--no-pings',
];

async function closeBrowser(browser: Browser, timeoutMs = 10_000): Promise<void> {
  const proc = browser.process();
  const closed = browser.close().then(
    () => true,
    () => false,
  );
  const ok = await Promise.race([closed, sleep(timeoutMs).then(() => false)]);
  if (!ok && proc && proc.exitCode === null && proc.signalCode === null) {
    try {
      if (proc.pid) process.kill(-proc.pid, 'SIGKILL'); // the whole process group
    } catch {
      proc.kill('SIGKILL');
    }
    await Promise.race([new Promise((resolve) => proc.once('exit', resolve)), sleep(5_000)]);
  }
}

/**
 * Sessions not closed yet (temp root -> browser): if the test process exits without close(), the
 * browsers are killed and their temp dirs removed on the way out.
 */
const liveRoots = new Map<string, Browser | undefined>();
let exitHookInstalled = false;
function trackRoot(root: string, browser?: Browser): void {
  liveRoots.set(root, browser);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [dir, b] of liveRoots) {
      const proc = b?.process();
      try {
        // Puppeteer starts the browser as a process-group leader: kill its helpers too.
        if (proc?.pid) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        try {
          proc?.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      // Exit handlers must be synchronous: spin until the kernel has really stopped it (zombie or
      // gone), or it may still create files while the directory is being removed.
      const deadline = Date.now() + 2_000;
      while (proc?.pid && Date.now() < deadline) {
        try {
          if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${proc.pid}/stat`, 'utf8'))) break;
        } catch {
          break;
        }
      }
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
      } catch {
        // best effort
      }
    }
  });
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  liveRoots.delete(dir);
}

/** The document's own location (page.url() is stale for moz-extension pages in Firefox). */
export async function currentUrl(page: Page): Promise<string> {
  return page.evaluate(() => location.href);
}

/** Open a URL in a new tab and resolve once it is loaded (document complete at that URL). */
async function openChromiumPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  try {
    const res = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    if (res && !res.ok()) throw new Error(`${url} answered ${res.status()}`);
    return page;
  } catch (e) {
    await page.close().catch(() => {});
    throw e;
  }
}

/**
 * Firefox/BiDi: for moz-extension documents Firefox 153 sends browsingContext.navigationStarted and
 * navigationCommitted but never domContentLoaded/load, so `page.goto()` never resolves (it times
 * out) and puppeteer's page.url() stays 'about:blank'. The navigation is therefore started without
 * awaiting it, and the document itself is polled until it is at the target URL and complete.
 */
async function openFirefoxExtensionPage(browser: Browser, url: string, timeoutMs = 30_000): Promise<Page> {
  const page = await browser.newPage();
  let navError: unknown;
  void page.goto(url, { waitUntil: 'load', timeout: timeoutMs }).catch((e: unknown) => {
    navError = e;
  });
  const target = new URL(url);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    // A refused navigation (e.g. 'not allowed in this context' without --remote-allow-system-access)
    // is reported at once; only its timeout is expected, since it never sees a load event.
    if (navError && !String(navError).includes('TimeoutError')) break;
    try {
      const state = await page.evaluate(() => [location.href, document.readyState] as const);
      last = `${state[0]} (${state[1]})`;
      const here = new URL(state[0]);
      if (here.origin === target.origin && here.pathname === target.pathname && state[1] === 'complete') {
        return page;
      }
    } catch {
      // Realm replaced mid-navigation; try again.
    }
    await sleep(50);
  }
  await page.close().catch(() => {});
  throw new Error(
    `Could not open ${url} in Firefox; last seen ${last || 'nothing'}` +
      (navError ? `; navigation error: ${String(navError)}` : ''),
  );
}

/**
 * `installExtension` resolves before the MV3 service worker has run, so a navigation made right
 * after launch would be missed by its webRequest listeners. Wait until the worker is up and has
 * evaluated its top-level code.
 */
async function waitForChromiumServiceWorker(browser: Browser, originSlash: string): Promise<WebWorker> {
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith(originSlash),
    { timeout: 15_000 },
  );
  const worker = await target.worker();
  if (!worker) throw new Error(`no worker behind ${target.url()}`);
  await worker.evaluate('true');
  return worker;
}

/**
 * tapguard's content scripts are registered by its background once it has read the site lists
 * (lib/background/content-scripts.ts); a page loaded before that gets none. `evaluate` runs in an extension
 * context: the service worker or an extension page.
 */
async function waitForContentScripts(evaluate: (expression: string) => Promise<unknown>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await evaluate(`(globalThis.browser ?? globalThis.chrome).scripting.getRegisteredContentScripts().then((s) => s.length)`).catch(() => 0);
    if (Number(count) >= 2) return;
    if (Date.now() > deadline) throw new Error(`the extension registered no content scripts within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Same for Firefox: `webExtension.install` resolves before the background page has loaded. Poll
 * from the probe page until the background document reports readyState 'complete' (its scripts
 * have run and registered their listeners).
 */
async function waitForFirefoxBackgroundPage(browser: Browser, origin: string, withContentScripts: boolean, timeoutMs = 15_000): Promise<void> {
  const page = await openFirefoxExtensionPage(browser, origin + PROBE_PAGE, timeoutMs);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await page
        .evaluate(
          `browser.runtime.getBackgroundPage().then((w) => (w && w.document ? w.document.readyState : 'none'), (e) => 'error: ' + e)`,
        )
        .catch((e: unknown) => `evaluate failed: ${String(e)}`);
      if (state === 'complete') {
        if (withContentScripts) await waitForContentScripts((expression) => page.evaluate(expression), timeoutMs);
        return;
      }
      if (Date.now() > deadline) throw new Error(`Firefox background page not ready after ${timeoutMs} ms (${String(state)})`);
      await sleep(50);
    }
  } finally {
    await page.close().catch(() => {});
  }
}

export async function launch(name: BrowserName, opts: LaunchOptions): Promise<Session> {
  const executablePath = requireBrowserBinary(name);
  const root = await mkdtemp(path.join(os.tmpdir(), `tapguard-e2e-${name}-`));
  trackRoot(root);
  let browser: Browser | undefined;
  try {
    const home = path.join(root, 'home');
    const profile = path.join(root, 'profile');
    await mkdir(home, { recursive: true });
    await mkdir(profile, { recursive: true });
    await mkdir(path.join(root, 'tmp'));
    const env = {
      ...process.env,
      HOME: home,
      TMPDIR: path.join(root, 'tmp'), // Chromium's singleton socket dir etc.
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
    };

    if (name === 'chromium') {
      // Chromium on Linux reads trusted CAs from $HOME/.pki/nssdb (HOME is the temp dir). Without
      // CAs to add, Chromium creates an empty one itself, so certutil is only needed with CAs.
      if (opts.trustCaPems.length > 0) {
        await makeNssDb(path.join(home, '.pki', 'nssdb'), opts.trustCaPems, root);
      }
      const args = [...CHROMIUM_ARGS, `--host-resolver-rules=${chromiumHostRules(opts.hostMap)}`];
      args.push(...(opts.extraArgs ?? []));
      const launchOpts: PuppeteerLaunchOptions = {
        executablePath,
        headless: opts.headless ?? true,
        pipe: true,
        enableExtensions: opts.extensionDir !== undefined,
        userDataDir: profile,
        env,
        args,
        dumpio: opts.dumpio ?? false,
        timeout: 60_000,
      };
      const manifest = opts.extensionDir !== undefined ? readManifest(opts.extensionDir) : undefined;
      const extDir = opts.extensionDir !== undefined ? await copyExtension(opts.extensionDir, root) : undefined;
      browser = await puppeteer.launch(launchOpts);
      trackRoot(root, browser);
      let extensionId: string | undefined;
      if (extDir !== undefined) {
        extensionId = await browser.installExtension(extDir);
        if (manifest?.background?.service_worker) {
          const worker = await waitForChromiumServiceWorker(browser, `chrome-extension://${extensionId}/`);
          if (manifest.permissions?.includes('scripting')) await waitForContentScripts((expression) => worker.evaluate(expression));
        }
      }
      const extensionOrigin = extensionId ? `chrome-extension://${extensionId}` : undefined;
      const b = browser;
      return {
        name,
        browser: b,
        extensionId,
        extensionOrigin,
        async openExtensionPage(p: string) {
          if (!extensionOrigin) throw new Error('launched without an extension');
          return openChromiumPage(b, extensionOrigin + (p.startsWith('/') ? p : `/${p}`));
        },
        async close() {
          await closeBrowser(b);
          await removeDir(root);
        },
      };
    }

    // Firefox: the profile's own cert9.db is the trust store; it must exist before launch.
    await makeNssDb(profile, opts.trustCaPems, root);
    let geckoId: string | undefined;
    let uuid: string | undefined;
    let extDir: string | undefined;
    let manifest: Manifest | undefined;
    if (opts.extensionDir !== undefined) {
      manifest = readManifest(opts.extensionDir);
      geckoId = geckoIdOf(manifest, opts.extensionDir);
      uuid = randomUUID();
      extDir = await copyExtension(opts.extensionDir, root);
    }
    const prefs: Record<string, unknown> = {
      ...FIREFOX_QUIET_PREFS,
      'xpinstall.signatures.required': false,
      ...(geckoId && uuid ? { 'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }) } : {}),
      ...(opts.hostMap.length > 0 ? { 'network.dns.localDomains': opts.hostMap.join(',') } : {}),
      ...(opts.extraPrefsFirefox ?? {}),
    };
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: opts.headless ?? true,
      userDataDir: profile,
      // Release builds ignore the services.settings.server override (so keep querying
      // firefox.settings.services.mozilla.com) unless this is set.
      env: { ...env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      args: ['--remote-allow-system-access', ...(opts.extraArgs ?? [])],
      extraPrefsFirefox: prefs,
      dumpio: opts.dumpio ?? false,
      timeout: 60_000,
    });
    trackRoot(root, browser);
    const extensionOrigin = uuid ? `moz-extension://${uuid}` : undefined;
    if (extDir !== undefined && extensionOrigin) {
      const installed = await browser.installExtension(extDir);
      if (installed !== geckoId) {
        throw new Error(`Firefox installed the extension as ${installed}, expected ${geckoId}`);
      }
      if (manifest?.background?.scripts || manifest?.background?.page) {
        await waitForFirefoxBackgroundPage(browser, extensionOrigin, manifest.permissions?.includes('scripting') ?? false);
      }
    }
    const b = browser;
    return {
      name,
      browser: b,
      extensionId: geckoId,
      extensionOrigin,
      async openExtensionPage(p: string) {
        if (!extensionOrigin) throw new Error('launched without an extension');
        return openFirefoxExtensionPage(b, extensionOrigin + (p.startsWith('/') ? p : `/${p}`));
      },
      async close() {
        await closeBrowser(b);
        await removeDir(root);
      },
    };
  } catch (e) {
    if (browser) await closeBrowser(browser).catch(() => {});
    await removeDir(root).catch(() => {});
    throw e;
  }
}
