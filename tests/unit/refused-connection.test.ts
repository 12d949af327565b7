import { describe, expect, it } from 'vitest';
import { detectRefusedConnection, isUnexplainedSocketFailure } from '@/lib/core/detect/refused-connection';
import { baseline, publicRoot } from './fixtures';

const refusal = { url: 'wss://ws.chat.example.org/socket?token=secret', error: 'net::ERR_FAILED', resourceType: 'websocket', pageHost: 'chat.example.org', pageName: 'Chat' };

describe('a socket of a chat refused without a reason (Chromium)', () => {
  it('is an incident of the chat that names the socket host and says what is known, low the first time', () => {
    const [finding] = detectRefusedConnection(refusal, { socketBaseline: undefined, recentRefusals: 0 });
    expect(finding).toMatchObject({ rule: 'cert.error', severity: 'low', host: 'chat.example.org', evidence: { socketHost: 'ws.chat.example.org', family: 'connection-refused', requestUrl: 'wss://ws.chat.example.org/socket' } });
    expect(String(finding!.evidence.known)).toContain('message connection to ws.chat.example.org was refused');
  });
  it('weighs more when it repeats, and most on a host whose certificate was learned before', () => {
    expect(detectRefusedConnection(refusal, { socketBaseline: undefined, recentRefusals: 1 })[0]!.severity).toBe('medium');
    const learned = baseline({ host: 'ws.chat.example.org', certRoots: [publicRoot.sha256] });
    expect(detectRefusedConnection(refusal, { socketBaseline: learned, recentRefusals: 0 })[0]).toMatchObject({ severity: 'high', evidence: { certificateLearnedBefore: true } });
  });
  it('ignores everything else that fails', () => {
    expect(isUnexplainedSocketFailure('net::ERR_FAILED', 'xmlhttprequest')).toBe(false);
    expect(isUnexplainedSocketFailure('net::ERR_ABORTED', 'websocket')).toBe(false);
    expect(detectRefusedConnection({ ...refusal, url: 'ws://ws.chat.example.org/' }, { socketBaseline: undefined, recentRefusals: 0 })).toEqual([]);
  });
});
