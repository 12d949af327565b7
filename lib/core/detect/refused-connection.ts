import type { Baseline } from '../baseline';
import type { Finding, Severity } from '../types';
import { hostOf, sanitiseUrl } from '../url';
import { baselineEvidence } from './cert';

/**
 * Chromium reports a websocket whose TLS handshake it refused (an interceptor's certificate on
 * the chat's socket host) to webRequest.onErrorOccurred only as `net::ERR_FAILED`, with the chat
 * page as initiator: not as a certificate error. The same string also means a dropped network,
 * a server that closed the socket, a proxy that said no. So the finding says only what is known
 * (the page loaded, its message connection was refused) and weighs by what makes a blip unlikely.
 */
export interface RefusedConnectionObservation {
  /** The socket's URL. */
  url: string;
  error: string;
  resourceType: string;
  /** The chat or mail page whose session opened it. */
  pageHost: string;
  pageName: string;
}

export interface RefusalHistory {
  /** The socket host's baseline: a certificate learned there before makes a blip less likely. */
  socketBaseline: Baseline | undefined;
  /** Earlier refusals of the same socket host for the same page, recently (see REPEAT_WINDOW_MS). */
  recentRefusals: number;
}

/** Two refusals this close together are a pattern, not a blip. */
export const REPEAT_WINDOW_MS = 10 * 60_000;

/** Whether an onErrorOccurred report may be such a refusal: a socket that failed without a reason. */
export function isUnexplainedSocketFailure(error: string | undefined, resourceType: string): boolean {
  return resourceType === 'websocket' && error === 'net::ERR_FAILED';
}

/** The severity is part of the key: a repeat that weighs more is a new incident, not a count. */
export function refusalDedupeParts(socketHost: string, severity: Severity): string[] {
  return ['connection-refused', socketHost, severity];
}

export function refusalSeverity(history: RefusalHistory): Severity {
  if (history.socketBaseline && history.socketBaseline.certRoots.length > 0) return 'high';
  return history.recentRefusals > 0 ? 'medium' : 'low';
}

/** cert.error of the page's site, naming the socket host (Chromium). */
export function detectRefusedConnection(observation: RefusedConnectionObservation, history: RefusalHistory): Finding[] {
  if (!/^wss:/.test(observation.url) || !isUnexplainedSocketFailure(observation.error, observation.resourceType)) return [];
  const socketHost = hostOf(observation.url);
  const severity = refusalSeverity(history);
  return [
    {
      rule: 'cert.error',
      severity,
      host: observation.pageHost,
      url: observation.url,
      evidence: {
        error: observation.error,
        errorCode: null,
        family: 'connection-refused',
        resourceType: observation.resourceType,
        requestUrl: sanitiseUrl(observation.url),
        socketHost,
        pageHost: observation.pageHost,
        known: `${observation.pageName} loaded, and its message connection to ${socketHost} was refused. The browser does not say why: a certificate it refused (interception of that host only) looks the same as a dropped connection.`,
        recentRefusals: history.recentRefusals,
        certificateLearnedBefore: Boolean(history.socketBaseline && history.socketBaseline.certRoots.length > 0),
        previous: baselineEvidence(history.socketBaseline),
      },
      dedupeParts: refusalDedupeParts(socketHost, severity),
    },
  ];
}
