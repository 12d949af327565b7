// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createPageLoads } from '@/lib/background/chrome/page-load-memory';

describe('page-load memory (Chrome deep inspection)', () => {
  it('forgets the old page only when a new document commits, keeping what came after its navigation started', () => {
    const loads = createPageLoads();
    const judged = loads.memory<string>();
    judged.set('mail.example.org', 'old leaf');
    loads.navigationStarted();
    // The next page is judged afresh, while the old page's entry is still listed (the navigation may never commit).
    expect(judged.has('mail.example.org')).toBe(false);
    expect(judged.values()).toEqual(['old leaf']);
    judged.set('api.example.net', 'new page');
    loads.committed();
    expect(judged.values()).toEqual(['new page']);
    expect(judged.get('api.example.net')).toBe('new page');
  });

  it('keeps everything through a navigation that never commits, and sees it again once remembered again', () => {
    const loads = createPageLoads();
    const judged = loads.memory<string>();
    judged.set('mail.example.org', 'leaf');
    loads.committed();
    judged.set('mail.example.org', 'leaf');
    loads.navigationStarted(); // a 204: no commit follows
    expect(judged.values()).toEqual(['leaf']);
    judged.set('mail.example.org', 'leaf');
    expect(judged.has('mail.example.org')).toBe(true);
  });

  it('says whether a navigation is pending: from its start until a document commits', () => {
    const loads = createPageLoads();
    loads.committed();
    expect(loads.navigationPending()).toBe(false);
    loads.navigationStarted(); // a 204: no commit follows
    expect(loads.navigationPending()).toBe(true);
    loads.committed();
    expect(loads.navigationPending()).toBe(false);
  });

  it('starts from nothing on a commit without a navigation start (a page restored from the back-forward cache)', () => {
    const loads = createPageLoads();
    const judged = loads.memory<string>();
    loads.committed();
    judged.set('mail.example.org', 'leaf');
    loads.committed();
    expect(judged.values()).toEqual([]);
  });

  it('lets what must not happen twice (a probe) see the old page while a navigation is pending', () => {
    const loads = createPageLoads();
    const probed = loads.memory<true>({ acrossNavigation: true });
    probed.set('gateway.example.net', true);
    loads.navigationStarted();
    expect(probed.has('gateway.example.net')).toBe(true);
  });

  it('is bounded, dropping the oldest entry first', () => {
    const loads = createPageLoads();
    const asked = loads.memory<number>();
    for (let i = 0; i < 250; i++) asked.set(`connection ${i}`, i);
    expect(asked.values()).toHaveLength(200);
    expect(asked.has('connection 0')).toBe(false);
    expect(asked.has('connection 249')).toBe(true);
  });
});
