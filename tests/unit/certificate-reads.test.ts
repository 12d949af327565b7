import { describe, expect, it, vi } from 'vitest';
import { createJudgedCertificates } from '@/lib/background/cert-cache';
import { createCertificateReads, SECURITY_INFO_OPTIONS, type CertificateOutcome } from '@/lib/background/firefox/certificate-reads';
import type { CertObservation } from '@/lib/core/observations';
import type { Incident } from '@/lib/core/types';
import type { Recorded } from '@/lib/store/incidents';
import { cert, rogueRoot, selfHosted } from './fixtures';

const URL_A = 'https://mail.example.org/inbox';
const observation = (patch: Partial<CertObservation> = {}): CertObservation => ({ url: URL_A, resourceType: 'xmlhttprequest', state: 'secure', protocolVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', chain: [cert(), rogueRoot], ...patch });
const swapped = () => observation({ chain: [cert({ sha256: 'd'.repeat(64) }), rogueRoot] });
const newIncident: Recorded = { status: 'new', incident: { id: 7, dedupeKey: 'k', severity: 'critical', rule: 'cert.untrusted-root', host: 'mail.example.org', url: URL_A } as Incident };
const judgeWith = (recorded: Recorded[] = []) => vi.fn(async (): Promise<CertificateOutcome> => ({ site: selfHosted, recorded }));

describe('Firefox certificate reads without holding requests', () => {
  it('asks for the whole chain with its DER, so a new connection is judged with its algorithms from its own request', () => {
    expect(SECURITY_INFO_OPTIONS).toEqual({ certificateChain: true, rawDER: true });
  });

  it('judges a connection once, and shows its judgement again as repeats', async () => {
    const reads = createCertificateReads(createJudgedCertificates());
    const judge = judgeWith([newIncident]);
    expect((await reads.outcomeFor(observation(), selfHosted, judge)).recorded[0]?.status).toBe('new');
    const again = await reads.outcomeFor(observation({ url: 'https://mail.example.org/api' }), selfHosted, judge);
    expect(judge).toHaveBeenCalledTimes(1);
    expect(again).toMatchObject({ site: selfHosted, recorded: [{ status: 'repeat', dedupeKey: 'k' }] });
  });

  it('shares one judgement among the parallel requests of a new connection, as repeats for the others', async () => {
    const reads = createCertificateReads(createJudgedCertificates());
    const judge = judgeWith([newIncident]);
    const outcomes = await Promise.all([1, 2, 3].map(() => reads.outcomeFor(observation(), selfHosted, judge)));
    expect(judge).toHaveBeenCalledTimes(1);
    expect(outcomes.map((o) => o.recorded[0]?.status)).toEqual(['new', 'repeat', 'repeat']);
  });

  it('judges a changed certificate on a host already judged (a new connection)', async () => {
    const reads = createCertificateReads(createJudgedCertificates());
    await reads.outcomeFor(observation(), selfHosted, judgeWith());
    const judge = judgeWith([newIncident]);
    expect((await reads.outcomeFor(swapped(), selfHosted, judge)).recorded).toEqual([newIncident]);
    expect(judge).toHaveBeenCalledTimes(1);
  });

  it('does not cache a judgement skipped by the source limit (no site), nor one that failed, nor a click-through', async () => {
    const reads = createCertificateReads(createJudgedCertificates());
    await reads.outcomeFor(observation(), selfHosted, async () => ({ recorded: [] }));
    await expect(reads.outcomeFor(observation(), selfHosted, async () => Promise.reject(new Error('db closed')))).rejects.toThrow('db closed');
    const judge = judgeWith();
    await reads.outcomeFor(observation(), selfHosted, judge);
    expect(judge).toHaveBeenCalledTimes(1);
    const clickThrough = judgeWith();
    await reads.outcomeFor(observation({ chain: [], overridableErrorCategory: 'trust-error' }), selfHosted, clickThrough);
    await reads.outcomeFor(observation({ chain: [], overridableErrorCategory: 'trust-error' }), selfHosted, clickThrough);
    expect(clickThrough).toHaveBeenCalledTimes(2);
  });

  it('judges every connection again after clear (settings changed)', async () => {
    const reads = createCertificateReads(createJudgedCertificates());
    await reads.outcomeFor(observation(), selfHosted, judgeWith());
    reads.clear();
    const judge = judgeWith();
    await reads.outcomeFor(observation(), selfHosted, judge);
    expect(judge).toHaveBeenCalledTimes(1);
  });
});
