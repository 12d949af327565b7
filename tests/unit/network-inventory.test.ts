import { describe, expect, it } from 'vitest';
import { createSeenScriptOrigins, messagingPageOfRequest, networkScriptRef } from '@/lib/background/network-inventory';

const isMail = (url: string) => new URL(url).hostname === 'mail.example.org';
const PAGE = 'https://mail.example.org/?_task=mail';

describe('messagingPageOfRequest', () => {
  it("takes Firefox's document URL, and a srcdoc or about:blank document's parent", () => {
    expect(messagingPageOfRequest({ documentUrl: PAGE }, isMail)).toBe(PAGE);
    expect(messagingPageOfRequest({ documentUrl: 'about:srcdoc', frameAncestors: [{ url: PAGE }] }, isMail)).toBe(PAGE);
    expect(messagingPageOfRequest({ documentUrl: 'about:blank', frameAncestors: [{ url: 'https://ads.test/' }, { url: PAGE }] }, isMail)).toBeUndefined();
    // A third-party frame inside the mail page makes its own requests.
    expect(messagingPageOfRequest({ documentUrl: 'https://widget.test/embed', frameAncestors: [{ url: PAGE }] }, isMail)).toBeUndefined();
  });

  it("takes Chrome's initiator, an origin", () => {
    expect(messagingPageOfRequest({ initiator: 'https://mail.example.org' }, isMail)).toBe('https://mail.example.org/');
    expect(messagingPageOfRequest({ initiator: 'https://news.test' }, isMail)).toBeUndefined();
    expect(messagingPageOfRequest({ initiator: 'null' }, isMail)).toBeUndefined();
    expect(messagingPageOfRequest({}, isMail)).toBeUndefined();
  });
});

describe('networkScriptRef', () => {
  it('passes on code from other origins only, marked as seen on the network', () => {
    expect(networkScriptRef('https://cdn.evil.test/x.js', PAGE)).toEqual({ src: 'https://cdn.evil.test/x.js', network: true });
    expect(networkScriptRef('https://mail.example.org/app.js', PAGE)).toBeUndefined();
    expect(networkScriptRef('data:text/javascript,x', PAGE)).toBeUndefined();
  });
});

describe('createSeenScriptOrigins', () => {
  it('passes each origin once per page load of a tab', () => {
    const seen = createSeenScriptOrigins();
    expect(seen.first(1, PAGE, 'https://cdn.test/a.js')).toBe(true);
    expect(seen.first(1, PAGE, 'https://cdn.test/b.js')).toBe(false);
    expect(seen.first(2, PAGE, 'https://cdn.test/a.js')).toBe(true);
    seen.reset(1);
    expect(seen.first(1, PAGE, 'https://cdn.test/a.js')).toBe(true);
  });
});
