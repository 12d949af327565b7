import type { PageObservation } from '../observations';
import type { Finding } from '../types';
import { hostOf } from '../url';
import type { DetectContext } from './context';

/**
 * tls.http-page: a messaging page arrived over plain http although the service is known to use
 * HTTPS (every built-in service does; a self-hosted one once the baseline saw it over https).
 * That is the signature of SSL stripping, so it is critical.
 */
export function detectHttpPage(page: PageObservation, ctx: DetectContext): Finding[] {
  if (!page.url.startsWith('http:')) return [];
  const knownHttps = ctx.site.source === 'builtin' || ctx.baseline?.seenHttps === true;
  if (!knownHttps) return [];
  return [
    {
      rule: 'tls.http-page',
      severity: 'critical',
      host: hostOf(page.url),
      url: page.url,
      evidence: {
        scheme: 'http',
        expectedHttpsBecause: ctx.site.source === 'builtin' ? `built-in profile: ${ctx.site.name}` : 'earlier visits were over https',
        baselineFirstSeen: ctx.baseline?.firstSeen ?? null,
      },
      dedupeParts: [],
    },
  ];
}
