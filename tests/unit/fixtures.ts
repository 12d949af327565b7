import type { Baseline } from '@/lib/core/baseline';
import { emptyBaseline } from '@/lib/core/baseline';
import type { DetectContext } from '@/lib/core/detect/context';
import type { CertSummary } from '@/lib/core/observations';
import type { MonitoredSite } from '@/lib/core/sites';

export const LAB_HOST = 'mail.example.org';
export const selfHosted: MonitoredSite = { host: LAB_HOST, name: 'Roundcube on mail.example.org', source: 'recognised' };

export function baseline(patch: Partial<Baseline> = {}): Baseline {
  return { ...emptyBaseline(LAB_HOST, 1_000), ...patch };
}

export function ctx(patch: Partial<DetectContext> = {}): DetectContext {
  return { site: selfHosted, baseline: undefined, trustedRoots: [], ...patch };
}

export function cert(patch: Partial<CertSummary> = {}): CertSummary {
  return {
    subject: 'CN=mail.example.org',
    issuer: 'CN=R11,O=Let\'s Encrypt,C=US',
    sha256: 'a'.repeat(64),
    spkiSha256: 'spki-leaf',
    serial: '01',
    notBefore: Date.UTC(2026, 0, 1),
    notAfter: Date.UTC(2026, 11, 31),
    isBuiltInRoot: false,
    ...patch,
  };
}

export const publicRoot = cert({ subject: 'CN=ISRG Root X1,O=Internet Security Research Group,C=US', sha256: 'b'.repeat(64), isBuiltInRoot: true });
export const rogueRoot = cert({ subject: 'CN=Qaznet Trust Network,C=KZ', sha256: 'c'.repeat(64), isBuiltInRoot: false });
