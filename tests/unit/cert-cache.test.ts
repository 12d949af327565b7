import { describe, expect, it } from 'vitest';
import { asRepeats, connectionKey, createJudgedCertificates } from '@/lib/background/cert-cache';
import type { Recorded } from '@/lib/store/incidents';
import type { CertObservation } from '@/lib/core/observations';
import type { Incident } from '@/lib/core/types';
import { cert, rogueRoot } from './fixtures';

const observation = (patch: Partial<CertObservation> = {}): CertObservation => ({ url: 'wss://ws.chat.example.org/socket', resourceType: 'websocket', state: 'secure', protocolVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', chain: [cert(), rogueRoot], ...patch });

describe('certificates judged once per connection', () => {
  it('knows a connection by host, leaf, protocol and cipher', () => {
    const key = connectionKey(observation());
    expect(connectionKey(observation({ url: 'https://ws.chat.example.org/other' }))).toBe(key);
    expect(connectionKey(observation({ chain: [cert({ sha256: 'd'.repeat(64) }), rogueRoot] }))).not.toBe(key);
    expect(connectionKey(observation({ url: 'wss://other.example.org/' }))).not.toBe(key);
    expect(connectionKey(observation({ protocolVersion: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA' }))).not.toBe(key);
    // A click-through has no chain: never cached.
    expect(connectionKey(observation({ chain: [] }))).toBeUndefined();
  });
  it('keeps what the judgement recorded, as repeats (no second notification), until cleared', () => {
    const cache = createJudgedCertificates();
    const recorded: Recorded[] = [{ status: 'new', incident: { id: 3, dedupeKey: 'k', severity: 'critical', rule: 'cert.untrusted-root', host: 'h', url: 'u' } as Incident }];
    const key = connectionKey(observation());
    cache.set(key, recorded);
    expect(cache.get(key)).toEqual(asRepeats(recorded));
    expect(cache.get(key)![0]).toMatchObject({ status: 'repeat', dedupeKey: 'k', finding: { severity: 'critical' } });
    cache.clear();
    expect(cache.get(key)).toBeUndefined();
  });
});
