import { emptyBaseline, isLearning, LEARNING_VISITS, learnCertificate, learnHsts, learnScriptOrigins, recordVisit, type Baseline } from '../core/baseline';
import type { TapguardDb } from '../store/db';
import type { DetectContext } from '../core/detect/context';
import { chainIsLearnable, detectCertificate } from '../core/detect/cert';
import { detectCertError } from '../core/detect/cert-error';
import { detectRefusedConnection, refusalDedupeParts, REPEAT_WINDOW_MS, type RefusedConnectionObservation } from '../core/detect/refused-connection';
import {
  aggregateFlood,
  detectCspDropped,
  detectCspViolations,
  detectExtensionScripts,
  detectHiddenFrames,
  detectNewInline,
  detectNewScriptOrigins,
  detectScriptBudgetExceeded,
  detectScriptBytesChanged,
  detectSriRemoved,
  learnCsp,
  learnInline,
  learnScriptBytes,
  learnSri,
  networkScriptOrigins,
  scriptBytesKey,
} from '../core/detect/scripts';
import {
  detectDowngradeRedirect,
  detectHstsDropped,
  detectHttpPage,
  detectInsecureForms,
  detectInsecureWebSocket,
  detectMixedContent,
  detectWeakTls,
  parseHstsMaxAge,
} from '../core/detect/tls';
import { extensionNameFor, type InstalledExtension } from './extension-names';
import { dedupeKeyOf, type Recorded, type Recorder } from '../store/incidents';
import type {
  CertObservation,
  CspViolation,
  FormRef,
  FrameRef,
  HeadersObservation,
  PageObservation,
  RedirectObservation,
  RequestObservation,
  ScriptBytesObservation,
  ScriptRef,
} from '../core/observations';
import type { Settings } from '../store/settings';
import { resolveSiteForUrl, type MonitoredSite, type SiteLists } from '../core/sites';
import type { Finding } from '../core/types';
import { hostOf } from '../core/url';

export interface MonitorDeps {
  db: TapguardDb;
  recorder: Recorder;
  loadSiteLists(): Promise<SiteLists>;
  loadSettings(): Promise<Settings>;
  rememberRecognisedHost(host: string, recogniserId: string): Promise<void>;
  now(): number;
  /**
   * The user's installed extensions, when they let tapguard see them (optional `management`
   * permission); undefined otherwise. Only asked when a page carries an extension's script.
   */
  installedExtensions?(): Promise<readonly InstalledExtension[] | undefined>;
}

export interface Outcome {
  /** Undefined when the page is not a messaging page: then nothing was stored. */
  site?: MonitoredSite;
  recorded: Recorded[];
}

type Step = (baseline: Baseline, ctx: DetectContext) => { findings: Finding[]; baseline: Baseline };

/**
 * Wires observations to detectors. Each observation reads its host's baseline, judges against
 * it and writes the updated baseline in one transaction, so concurrent observations of one host
 * (a page and its certificate arrive together) never overwrite each other's learning.
 */
// eslint-disable-next-line max-lines-per-function -- one closure: every observe* method is a few lines around the shared judge() and deps
export function createMonitor(deps: MonitorDeps) {
  async function judge(url: string, site: MonitoredSite, step: Step): Promise<Outcome> {
    const host = hostOf(url);
    const settings = await deps.loadSettings();
    const trustedRoots = settings.trustedRoots[host] ?? [];
    const findings = await deps.db.transaction('rw', deps.db.baselines, async () => {
      const stored = await deps.db.baselines.get(host);
      const result = step(stored ?? emptyBaseline(host, deps.now()), { site, baseline: stored, trustedRoots, inlinePreviews: settings.inlinePreviews });
      await deps.db.baselines.put(result.baseline);
      return aggregateFlood(result.findings);
    });
    return { site, recorded: await deps.recorder.record(await withExtensionNames(findings)) };
  }

  /** Adds `extensionName` to script.by-extension evidence where the browser tells it. */
  async function withExtensionNames(findings: Finding[]): Promise<Finding[]> {
    if (!deps.installedExtensions || !findings.some((f) => f.rule === 'script.by-extension')) return findings;
    const installed = await deps.installedExtensions().catch(() => undefined);
    if (!installed) return findings;
    return findings.map((f) => {
      const name = f.rule === 'script.by-extension' ? extensionNameFor(String(f.evidence.extension), installed) : undefined;
      return name ? { ...f, evidence: { ...f.evidence, extensionName: name } } : f;
    });
  }

  async function siteFor(url: string, recognisedAs?: string): Promise<MonitoredSite | undefined> {
    const site = resolveSiteForUrl(url, await deps.loadSiteLists());
    if (site || !recognisedAs) return site;
    await deps.rememberRecognisedHost(hostOf(url), recognisedAs);
    return resolveSiteForUrl(url, await deps.loadSiteLists());
  }

  return {
    siteFor,

    async observePage(page: PageObservation): Promise<Outcome> {
      const site = await siteFor(page.url, page.recognisedAs);
      if (!site) return { recorded: [] };
      return judge(page.url, site, (before, ctx) => {
        const visited = recordVisit(before, page.url.startsWith('https:'), deps.now());
        const visitedCtx = { ...ctx, baseline: visited };
        const newInline = detectNewInline(page.url, page.scripts, visitedCtx);
        const findings = [
          ...detectHttpPage(page, ctx),
          ...detectInsecureForms(page.url, page.forms ?? [], ctx),
          ...detectNewScriptOrigins(page.url, page.scripts, visitedCtx),
          ...newInline,
          ...detectSriRemoved(page.url, page.scripts, visitedCtx),
          ...detectScriptBudgetExceeded(page.url, page.scriptBudgetExceeded, visitedCtx),
          ...pageChanges(page.url, page.scripts, page.frames ?? [], page.violations ?? [], visitedCtx),
        ];
        const reportedInline = new Set(newInline.map((f) => String(f.evidence.sha256)));
        const learned = learnSri(learnInline(learnScripts(visited, page.scripts), page.url, page.scripts, reportedInline), page.scripts);
        return { findings, baseline: learned };
      });
    },

    /** Elements page code added after load: scripts, forms, frames, CSP violations. */
    async observeScripts(
      url: string,
      scripts: ScriptRef[],
      forms: FormRef[] = [],
      frames: FrameRef[] = [],
      violations: CspViolation[] = [],
      scriptBudgetExceeded = false,
    ): Promise<Outcome> {
      const site = await siteFor(url);
      if (!site) return { recorded: [] };
      return judge(url, site, (before, ctx) => {
        const judged = { ...ctx, baseline: before };
        // Frames and later insertions: only inline code that hid is judged here (see detectNewInline).
        const hiddenInline = detectNewInline(url, scripts.filter((s) => s.hidden), judged);
        const reported = new Set(hiddenInline.map((f) => String(f.evidence.sha256)));
        const learned = learnScripts(before, scripts);
        return {
          findings: [
            ...detectInsecureForms(url, forms, ctx),
            ...detectNewScriptOrigins(url, scripts, judged),
            ...hiddenInline,
            ...detectScriptBudgetExceeded(url, scriptBudgetExceeded, judged),
            ...pageChanges(url, scripts, frames, violations, judged),
          ],
          // While the host is learned, hidden inline code of its frames is learned with the page's.
          baseline: isLearning(learned) ? learnHiddenInline(learned, url, scripts, reported) : learned,
        };
      });
    },

    /**
     * A script request of a messaging page, from the background's network inventory. Page loads
     * are counted by the page's own message, which usually comes after its script requests: so a
     * request is learned only before the first counted visit, ignored while the count says the
     * host is still learning (this load may be the one that ends it, and learning its script here
     * would let the page's own inventory take an injection for normal), and judged afterwards.
     */
    async observeNetworkScript(pageUrl: string, script: ScriptRef): Promise<Outcome> {
      const site = await siteFor(pageUrl);
      if (!site) return { recorded: [] };
      return judge(pageUrl, site, (before, ctx) => {
        if (before.visits < LEARNING_VISITS) return { findings: [], baseline: learnScripts(before, [script]) };
        if (isLearning(before)) return { findings: [], baseline: before };
        return { findings: detectNewScriptOrigins(pageUrl, [script], { ...ctx, baseline: before }), baseline: before };
      });
    },

    /**
     * Firefox: the bytes of a script a messaging page loaded. Also hands back the page host's
     * learned script keys as stored, so no one reads them again.
     */
    async observeScriptBytes(bytes: ScriptBytesObservation): Promise<Outcome & { learnedScriptBytes?: string[] }> {
      const site = await siteFor(bytes.pageUrl);
      if (!site) return { recorded: [] };
      // The full URL (query included) identifies the script; only its hash is stored.
      const urlKey = scriptBytesKey(bytes.url);
      let learned: string[] | undefined;
      const outcome = await judge(bytes.pageUrl, site, (before, ctx) => {
        const findings = detectScriptBytesChanged(bytes, urlKey, ctx);
        const baseline = findings.length ? before : learnScriptBytes(before, bytes, urlKey);
        learned = Object.keys(baseline.scriptBytes ?? {});
        return { findings, baseline };
      });
      return { ...outcome, learnedScriptBytes: learned };
    },

    /**
     * A redirect hop. The chain counts only when it started on a messaging https URL, or in a
     * frame of a tab in a messaging session (`inSession`, the caller's word from the browser):
     * any other page could aim a redirect at a watched host and write incidents about it.
     */
    async observeRedirect(hop: RedirectObservation, inSession?: MonitoredSite): Promise<Outcome> {
      const startedWatched = hop.firstUrl.startsWith('https:') ? await siteFor(hop.firstUrl) : undefined;
      const site = startedWatched ?? (inSession && ((await siteFor(hop.toUrl)) ?? inSession));
      if (!site) return { recorded: [] };
      return { site, recorded: await deps.recorder.record(detectDowngradeRedirect(hop, { site, baseline: undefined, trustedRoots: [] })) };
    },

    /** A request made by a messaging page: sockets and subresources. */
    async observeRequest(request: RequestObservation, inScope?: MonitoredSite): Promise<Outcome> {
      const site = (await siteFor(request.pageUrl)) ?? inScope;
      if (!site) return { recorded: [] };
      const ctx = { site, baseline: undefined, trustedRoots: [] };
      const findings = request.resourceType === 'websocket' ? detectInsecureWebSocket(request, ctx) : detectMixedContent(request, ctx);
      return { site, recorded: await deps.recorder.record(findings) };
    },

    async observeHeaders(headers: HeadersObservation): Promise<Outcome> {
      const site = await siteFor(headers.url);
      if (!site || !headers.url.startsWith('https:')) return { recorded: [] };
      return judge(headers.url, site, (before, ctx) => ({
        findings: [...detectHstsDropped(headers, ctx), ...detectCspDropped(headers, ctx)],
        baseline: learnCsp(learnHsts(before, parseHstsMaxAge(headers.strictTransportSecurity)), headers.contentSecurityPolicy),
      }));
    },

    /** `inScope`: the site of the session the request belongs to, when its own host is not listed. */
    async observeCertificate(cert: CertObservation, inScope?: MonitoredSite): Promise<Outcome> {
      const site = (await siteFor(cert.url)) ?? inScope;
      if (!site) return { recorded: [] };
      return judge(cert.url, site, (before, ctx) => {
        const certFindings = detectCertificate(cert, ctx, deps.now());
        // A chain that points at interception is evidence, not the host's normal: it is not learned.
        return {
          findings: [...certFindings, ...detectWeakTls(cert, ctx)],
          baseline: chainIsLearnable(certFindings) ? learnCertificate(before, cert.chain, cert.chainScope === 'leaf') : before,
        };
      });
    },

    /**
     * A failed request to a messaging host (webRequest.onErrorOccurred): certificate and TLS
     * errors become cert.error. The baseline is read for the evidence, never written.
     */
    async observeRequestError(url: string, error: string, resourceType: string, inScope?: MonitoredSite): Promise<Outcome> {
      const site = (await siteFor(url)) ?? inScope;
      if (!site) return { recorded: [] };
      const baseline = await deps.db.baselines.get(hostOf(url));
      const findings = detectCertError({ url, error, resourceType }, { site, baseline, trustedRoots: [] });
      return { site, recorded: await deps.recorder.record(findings) };
    },

    /**
     * Chromium: a socket of a session's page that failed without a reason (lib/core/detect/refused-connection).
     * Weighed by the socket host's baseline and by recent refusals of it, both read, never written.
     */
    async observeRefusedConnection(refusal: RefusedConnectionObservation, pageSite: MonitoredSite): Promise<Outcome> {
      const socketHost = hostOf(refusal.url);
      const socketBaseline = await deps.db.baselines.get(socketHost);
      const keys = (['low', 'medium'] as const).map((severity) => dedupeKeyOf({ rule: 'cert.error', host: pageSite.host, dedupeParts: refusalDedupeParts(socketHost, severity) }));
      const earlier = await deps.db.occurrences.bulkGet(keys);
      const since = deps.now() - REPEAT_WINDOW_MS;
      const recentRefusals = earlier.reduce((sum, o) => sum + (o && o.lastTs >= since ? o.count : 0), 0);
      const findings = detectRefusedConnection(refusal, { socketBaseline, recentRefusals });
      return { site: pageSite, recorded: await deps.recorder.record(findings) };
    },
  };
}

export type Monitor = ReturnType<typeof createMonitor>;

function pageChanges(url: string, scripts: readonly ScriptRef[], frames: readonly FrameRef[], violations: readonly CspViolation[], ctx: DetectContext) {
  return [...detectExtensionScripts(url, scripts, ctx), ...detectHiddenFrames(url, frames, ctx), ...detectCspViolations(url, violations, ctx)];
}

function learnHiddenInline(baseline: Baseline, url: string, scripts: readonly ScriptRef[], reported: ReadonlySet<string>): Baseline {
  const hidden = scripts.filter((s) => s.hidden && s.inlineSha256);
  return hidden.length ? learnInline(baseline, url, hidden, reported) : baseline;
}

function learnScripts(baseline: Baseline, scripts: readonly ScriptRef[]): Baseline {
  return isLearning(baseline) ? learnScriptOrigins(baseline, networkScriptOrigins(scripts).keys()) : baseline;
}
