import { describe, expect, it } from 'vitest';
import { capabilitiesOf, deepSummary } from '@/lib/ui/capabilities';

const chain = (caps: ReturnType<typeof capabilitiesOf>) => caps.find((c) => c.check === 'Certificate chain and root')!;

describe('what the popup says deep inspection judged and missed', () => {
  it('names each judged host, what it was for, and the route', () => {
    const deep = { state: 'attached', judged: [{ host: 'mail.example.org', what: 'page', source: 'debugger-probe' }, { host: 'socket.example.org', what: 'socket', source: 'debugger' }] };
    const { judged, missed } = deepSummary(deep, 'mail.example.org');
    expect(judged).toEqual([
      "Judged: mail.example.org (this page, read by the debugger after one request of tapguard's own, without cookies, to that host).",
      'Judged: socket.example.org (chat socket, read by the debugger from the connection).',
    ]);
    expect(missed).toEqual([]);
    expect(chain(capabilitiesOf('chrome', deep, 'mail.example.org'))).toMatchObject({ available: true });
  });

  it("says plainly when the page's own certificate was missed, and does not call the chain checked", () => {
    const deep = { state: 'attached', judged: [{ host: 'socket.example.org', what: 'socket', source: 'debugger' }] };
    expect(deepSummary(deep, 'mail.example.org').missed[0]).toMatch(/^Missed: the certificate of this page \(mail\.example\.org\)/);
    const capability = chain(capabilitiesOf('chrome', deep, 'mail.example.org'));
    expect(capability.available).toBe(false);
    expect(capability.note).toContain("A new tab's first load can arrive before deep inspection attaches");
  });

  it('says which source judged a leaf when the standard securityInfo did, and that the chain was not shown', () => {
    const deep = { state: 'standard', judged: [{ host: 'mail.example.org', what: 'page', source: 'webrequest' }] };
    const capability = chain(capabilitiesOf('chrome', deep, 'mail.example.org'));
    expect(capability.available).toBe(false);
    expect(capability.note).toContain("Chrome's own webRequest security info, leaf only");
  });

  it('leaves Firefox as it was', () => {
    expect(chain(capabilitiesOf('firefox', { state: 'attached', judged: [] }, 'mail.example.org'))).toEqual({ check: 'Certificate chain and root', available: true, note: '' });
  });
});
