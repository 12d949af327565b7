import { describe, expect, it } from 'vitest';
import { pageUrlOfSender } from '@/lib/background/sender';

const MAIL = 'https://mail.example.org/?_task=mail';

describe('pageUrlOfSender', () => {
  it("records a document under the browser's URL for it, and only when the claim agrees", () => {
    expect(pageUrlOfSender({ url: 'https://mail.example.org/?_task=mail&_uid=1' }, MAIL)).toBe('https://mail.example.org/?_task=mail&_uid=1');
    expect(pageUrlOfSender({ url: 'https://evil.test/' }, MAIL)).toBeUndefined();
    expect(pageUrlOfSender({}, MAIL)).toBeUndefined();
  });

  it('records a srcdoc or about:blank frame under the page that made it, checked against its origin', () => {
    expect(pageUrlOfSender({ url: 'about:srcdoc', origin: 'https://mail.example.org' }, MAIL)).toBe(MAIL);
    expect(pageUrlOfSender({ url: 'about:blank', origin: 'https://evil.test' }, MAIL)).toBeUndefined();
    // Without an origin from the browser, the tab's page must be on the claimed host.
    expect(pageUrlOfSender({ url: 'about:srcdoc', tab: { url: 'https://mail.example.org/' } }, MAIL)).toBe(MAIL);
    expect(pageUrlOfSender({ url: 'about:srcdoc', tab: { url: 'https://evil.test/' } }, MAIL)).toBeUndefined();
    // A sandboxed srcdoc frame has an opaque origin: the tab decides.
    expect(pageUrlOfSender({ url: 'about:srcdoc', origin: 'null', tab: { url: 'https://mail.example.org/' } }, MAIL)).toBe(MAIL);
  });
});
