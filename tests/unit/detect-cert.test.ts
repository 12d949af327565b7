import { describe, expect, it } from 'vitest';
import { detectUntrustedRoot } from '@/lib/detect/cert';
import { cert, ctx, publicRoot, rogueRoot } from './fixtures';

const observation = (root: typeof publicRoot) => ({
  url: 'https://mail.example.org/?_task=mail',
  resourceType: 'main_frame',
  state: 'secure',
  protocolVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  chain: [cert({ issuer: root.subject }), root],
});

describe('cert.untrusted-root', () => {
  it('is critical when the chain ends in a root the browser does not ship', () => {
    const [finding] = detectUntrustedRoot(observation(rogueRoot), ctx());
    expect(finding).toMatchObject({
      rule: 'cert.untrusted-root',
      severity: 'critical',
      dedupeParts: [rogueRoot.sha256],
      evidence: { root: rogueRoot.subject, rootSha256: rogueRoot.sha256, issuer: rogueRoot.subject, protocol: 'TLSv1.3' },
    });
  });

  it('is quiet for a built-in root', () => {
    expect(detectUntrustedRoot(observation(publicRoot), ctx())).toEqual([]);
  });

  it('is quiet for a private root the user trusts for this host', () => {
    expect(detectUntrustedRoot(observation(rogueRoot), ctx({ trustedRoots: [rogueRoot.sha256] }))).toEqual([]);
  });

  it('ignores an empty chain', () => {
    expect(detectUntrustedRoot({ ...observation(rogueRoot), chain: [] }, ctx())).toEqual([]);
  });
});
