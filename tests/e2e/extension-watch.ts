/**
 * Chromium only: watches what the extension itself does while a test drives the browser, through
 * CDP sessions on every extension target (the MV3 service worker, each time it starts, and every
 * extension page):
 *
 * - network requests (`Network.requestWillBeSent`), so a test can prove the extension talks to
 *   nothing but its own files;
 * - errors: uncaught exceptions (`Runtime.exceptionThrown`, unhandled rejections included) and
 *   `console.error` calls.
 *
 * Content scripts run inside web pages, not in extension targets: `watchPage` collects their
 * errors from a page's own session, keeping only those whose stack lies in the extension.
 *
 * Limits, said plainly: an extension page is watched from the moment its session is attached,
 * so its very first requests (its own script and style files) may go unseen; the worker started
 * at launch, before any watch, is watched from then on, and every later start of it from its
 * first instruction (see watchExtension).
 */
import type { CDPSession, Page, Target } from 'puppeteer-core';
import { PROBE_PAGE, type Session } from './browsers';

export interface ExtensionRequest {
  url: string;
  /** 'service_worker', 'page', … */
  targetType: string;
}

export interface ExtensionWatch {
  requests: ExtensionRequest[];
  errors: string[];
  /** Service worker starts seen (the first one included, when it was already running). */
  workerStarts: number;
  stop(): Promise<void>;
}

interface StackTrace {
  callFrames: { url: string }[];
}

function describeRemote(arg: { value?: unknown; description?: string; type: string }): string {
  return arg.description ?? (arg.value === undefined ? arg.type : typeof arg.value === 'string' ? arg.value : JSON.stringify(arg.value));
}

/**
 * Starts watching every current and future extension target of a Chromium session.
 *
 * The worker needs care: Chrome starts a service worker that has a DevTools session attached
 * (puppeteer's, the harness's, this watch's own) paused, waiting for the debugger. After a stop
 * (`stopServiceWorker`, or Chrome's idle timeout) the watch therefore attaches a fresh session to
 * the starting worker, enables its domains, and only then lets it run, so that nothing the worker
 * does from its first instruction on goes unobserved, and it never stays stuck.
 */
export async function watchExtension(session: Session): Promise<ExtensionWatch> {
  if (session.name !== 'chromium' || !session.extensionOrigin) throw new Error('watchExtension needs Chromium with the extension');
  const origin = `${session.extensionOrigin}/`;
  const pageSessions = new Set<CDPSession>();
  const workerSessions = new Map<string, CDPSession>();
  const seenPages = new WeakSet<Target>();
  const root = await session.browser.target().createCDPSession();
  const connection = root.connection()!;
  let stopped = false;

  const watch: ExtensionWatch = {
    requests: [],
    errors: [],
    workerStarts: 0,
    async stop() {
      stopped = true;
      session.browser.off('targetcreated', onTarget);
      const all = [...pageSessions, ...workerSessions.values(), swDomain, root];
      await Promise.all(all.map((s) => s.detach().catch(() => undefined)));
      await controlPage.close().catch(() => undefined);
    },
  };

  function listen(cdp: CDPSession, type: string, url: string): Promise<unknown> {
    cdp.on('Network.requestWillBeSent', (e: { request: { url: string } }) => watch.requests.push({ url: e.request.url, targetType: type }));
    cdp.on('Runtime.exceptionThrown', (e: { exceptionDetails: { text: string; exception?: { description?: string } } }) =>
      watch.errors.push(`${type} ${url}: uncaught ${e.exceptionDetails.exception?.description ?? e.exceptionDetails.text}`),
    );
    cdp.on('Runtime.consoleAPICalled', (e: { type: string; args: { value?: unknown; description?: string; type: string }[] }) => {
      if (e.type === 'error' || e.type === 'assert') watch.errors.push(`${type} ${url}: console.${e.type} ${e.args.map(describeRemote).join(' ')}`);
    });
    return Promise.all([cdp.send('Network.enable'), cdp.send('Runtime.enable')]).catch(() => undefined);
  }

  /** Extension pages: puppeteer reports each new one. */
  async function attachPage(target: Target): Promise<void> {
    if (stopped || seenPages.has(target) || !target.url().startsWith(origin) || target.type() !== 'page') return;
    seenPages.add(target);
    let cdp: CDPSession;
    try {
      cdp = await target.createCDPSession();
    } catch {
      return; // closed before we got there
    }
    pageSessions.add(cdp);
    await listen(cdp, 'page', target.url());
  }
  const onTarget = (target: Target) => void attachPage(target);

  /** The worker, running or starting: a fresh watching session, then run. Serialised. */
  let workerQueue: Promise<void> = Promise.resolve();
  const attachWorkers = () =>
    (workerQueue = workerQueue.then(async () => {
      if (stopped) return;
      const { targetInfos } = (await root.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
      for (const info of targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(origin))) {
        await workerSessions.get(info.targetId)?.detach().catch(() => undefined);
        const { sessionId } = (await root.send('Target.attachToTarget', { targetId: info.targetId, flatten: true })) as { sessionId: string };
        const cdp = connection.session(sessionId);
        if (!cdp) continue;
        workerSessions.set(info.targetId, cdp);
        await listen(cdp, 'service_worker', info.url);
        await cdp.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
      }
    }).catch(() => undefined));

  // The ServiceWorker domain of an extension page tells when the worker starts and stops.
  const controlPage = await session.openExtensionPage(PROBE_PAGE);
  const swDomain = await controlPage.createCDPSession();
  let lastStatus = '';
  swDomain.on('ServiceWorker.workerVersionUpdated', (e: { versions: { runningStatus: string; scriptURL: string }[] }) => {
    const ours = e.versions.filter((v) => v.scriptURL.startsWith(origin));
    if (ours.length === 0) return;
    const status = ours.map((v) => v.runningStatus).join();
    if (status === lastStatus) return;
    lastStatus = status;
    if (status.includes('starting')) void attachWorkers();
    if (status.includes('running')) watch.workerStarts++;
  });
  session.browser.on('targetcreated', onTarget);
  await Promise.all(session.browser.targets().map(attachPage));
  await attachWorkers();
  await swDomain.send('ServiceWorker.enable');
  return watch;
}

export interface PageWatch {
  /** Exceptions and console errors raised by the extension's content script in this page. */
  extensionErrors: string[];
  /** Every request the page made, with whether the extension initiated it. */
  requests: { url: string; byExtension: boolean }[];
}

/** Watches a page before it navigates: its requests, and errors of the extension's content script. */
export async function watchPage(page: Page, extensionOrigin: string): Promise<PageWatch> {
  const watch: PageWatch = { extensionErrors: [], requests: [] };
  const fromExtension = (stack?: StackTrace) => stack?.callFrames.some((f) => f.url.startsWith(extensionOrigin)) ?? false;
  page.on('request', (request) => {
    const initiator = request.initiator();
    const byExtension = Boolean(initiator?.url?.startsWith(extensionOrigin) || fromExtension(initiator?.stack as StackTrace | undefined));
    watch.requests.push({ url: request.url(), byExtension });
  });
  const cdp = await page.createCDPSession();
  cdp.on('Runtime.exceptionThrown', (e: { exceptionDetails: { url?: string; stackTrace?: StackTrace; exception?: { description?: string }; text: string } }) => {
    const d = e.exceptionDetails;
    if (d.url?.startsWith(extensionOrigin) || fromExtension(d.stackTrace)) watch.extensionErrors.push(`uncaught ${d.exception?.description ?? d.text}`);
  });
  cdp.on('Runtime.consoleAPICalled', (e: { type: string; stackTrace?: StackTrace; args: { value?: unknown; description?: string; type: string }[] }) => {
    if ((e.type === 'error' || e.type === 'assert') && fromExtension(e.stackTrace)) watch.extensionErrors.push(`console.${e.type} ${e.args.map(describeRemote).join(' ')}`);
  });
  await cdp.send('Runtime.enable');
  return watch;
}

/**
 * Stops the extension's MV3 service worker (CDP `ServiceWorker.stopAllWorkers`, sent from one of
 * the extension's own pages), as Chrome does to an idle worker, and waits until it has stopped.
 * The next event for the extension starts it again; with DevTools sessions attached (the harness
 * keeps one) it then waits for a debugger, so call this only while `watchExtension` runs, which
 * lets it go on.
 */
export async function stopServiceWorker(page: Page): Promise<void> {
  const cdp = await page.createCDPSession();
  try {
    const stopped = new Promise<void>((resolve) => {
      cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: { runningStatus: string }[] }) => {
        if (e.versions.length > 0 && e.versions.every((v) => v.runningStatus === 'stopped')) resolve();
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await Promise.race([stopped, new Promise((_, reject) => setTimeout(() => reject(new Error('service worker did not stop within 10 s')), 10_000))]);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
