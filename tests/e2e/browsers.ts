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
 * Firefox: WebDriver BiDi; the extension is installed as a temporary add-on
 * (`webExtension.install`). Its moz-extension UUID is fixed beforehand through the
 * `extensions.webextensions.uuids` pref, so the manifest must carry a gecko id. Trusted CAs go
 * into the profile's own `cert9.db`, created before launch. Host mapping uses
 * `network.dns.localDomains`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Browser, LaunchOptions as PuppeteerLaunchOptions, Page } from 'puppeteer-core';

export type BrowserName = 'chromium' | 'firefox';

export interface LaunchOptions {
  /** Unpacked built extension; omit to launch without it (benchmarks compare). */
  extensionDir?: string;
  /** PEM CA certs to trust in THIS profile only (never the system store). */
  trustCaPems: string[];
  /** Host names to resolve to 127.0.0.1 inside the browser only. */
  hostMap: string[];
  /** Firefox only: extra prefs, applied after (so overriding) the harness's own. */
  extraPrefsFirefox?: Record<string, unknown>;
  /** Extra command-line args for the browser. */
  extraArgs?: string[];
  /** Pipe the browser's stdout/stderr to this process (debugging). */
  dumpio?: boolean;
}

export interface Session {
  name: BrowserName;
  browser: Browser;
  /** Chrome extension id (Chromium), or the gecko id (Firefox). */
  extensionId?: string;
  /** 'chrome-extension://<id>' or 'moz-extension://<uuid>' (no trailing slash). */
  extensionOrigin?: string;
  /** Opens e.g. '/popup.html?tab=3' in a new tab; resolves once it is loaded and ready to evaluate. */
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

function geckoIdOf(extensionDir: string): string {
  const manifestPath = path.join(extensionDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No manifest.json in ${extensionDir} (build the extension first)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
    applications?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id ?? manifest.applications?.gecko?.id;
  if (!id) {
    throw new Error(
      `${manifestPath} has no browser_specific_settings.gecko.id; Firefox e2e needs a fixed id to pre-assign the moz-extension UUID`,
    );
  }
  return id;
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
    proc.kill('SIGKILL');
    await Promise.race([new Promise((resolve) => proc.once('exit', resolve)), sleep(5_000)]);
  }
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
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
 * Firefox/BiDi: awaiting `page.goto('moz-extension://…')` is unreliable (the navigation's events
 * are not always reported for extension documents), so the navigation is started without awaiting
 * it and the document is polled until it reports the target URL and readyState 'complete'.
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
    `Timed out opening ${url} in Firefox; last seen ${last || 'nothing'}` +
      (navError ? `; navigation error: ${String(navError)}` : ''),
  );
}

export async function launch(name: BrowserName, opts: LaunchOptions): Promise<Session> {
  const executablePath = requireBrowserBinary(name);
  const root = await mkdtemp(path.join(os.tmpdir(), `tapguard-e2e-${name}-`));
  let browser: Browser | undefined;
  try {
    const home = path.join(root, 'home');
    const profile = path.join(root, 'profile');
    await mkdir(home, { recursive: true });
    await mkdir(profile, { recursive: true });
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
    };

    if (name === 'chromium') {
      // Chromium on Linux reads trusted CAs from $HOME/.pki/nssdb; create it even if empty so that
      // Chromium does not go looking elsewhere.
      await makeNssDb(path.join(home, '.pki', 'nssdb'), opts.trustCaPems, root);
      const args = [...CHROMIUM_ARGS];
      if (opts.hostMap.length > 0) {
        const rules = opts.hostMap.map((h) => `MAP ${h} 127.0.0.1`);
        args.push(`--host-resolver-rules=${[...rules, 'EXCLUDE localhost'].join(', ')}`);
      }
      args.push(...(opts.extraArgs ?? []));
      const launchOpts: PuppeteerLaunchOptions = {
        executablePath,
        headless: true,
        pipe: true,
        enableExtensions: opts.extensionDir !== undefined,
        userDataDir: profile,
        env,
        args,
        dumpio: opts.dumpio ?? false,
        timeout: 60_000,
      };
      browser = await puppeteer.launch(launchOpts);
      let extensionId: string | undefined;
      if (opts.extensionDir !== undefined) {
        extensionId = await browser.installExtension(path.resolve(opts.extensionDir));
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
    if (opts.extensionDir !== undefined) {
      geckoId = geckoIdOf(opts.extensionDir);
      uuid = randomUUID();
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
      headless: true,
      userDataDir: profile,
      env,
      args: ['--remote-allow-system-access', ...(opts.extraArgs ?? [])],
      extraPrefsFirefox: prefs,
      dumpio: opts.dumpio ?? false,
      timeout: 60_000,
    });
    if (opts.extensionDir !== undefined) {
      const installed = await browser.installExtension(path.resolve(opts.extensionDir));
      if (installed !== geckoId) {
        throw new Error(`Firefox installed the extension as ${installed}, expected ${geckoId}`);
      }
    }
    const extensionOrigin = uuid ? `moz-extension://${uuid}` : undefined;
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
