import { render } from 'preact';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectorSection } from '@/entrypoints/options/Collector';
import { feedQueue } from '@/lib/background/collector/queue';
import { createRecorder } from '@/lib/store/incidents';
import type { TapguardDb } from '@/lib/store/db';
import { finding, freshDb } from './log-fixtures';
import { connectUiChannel } from './ui-channel';
import { waiterFor } from './wait-for-page';

let container: HTMLElement;
let db: TapguardDb;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  db = freshDb();
  connectUiChannel(db);
});
afterEach(async () => {
  render(null, container);
  container.remove();
  await db.delete();
});

const until = waiterFor(() => container);
const q = (selector: string) => container.querySelector<HTMLElement>(selector);

describe('options page: organisation collector', () => {
  it('says reporting is off when no policy sets a collector', async () => {
    render(<CollectorSection />, container);
    await until(() => q('[data-collector="off"]'));
    expect(q('[data-locked]')).toBeNull();
    expect(container.textContent).toContain('tapguard sends nothing anywhere');
  });

  it('shows the policy locked, never the token, with the queue length and the last failure', async () => {
    const policy = { url: 'https://siem.example.org/ingest', format: 'ocsf-json', token: 'very-secret', minSeverity: 'high', device: 'desk-12' } as const;
    await fakeBrowser.storage.managed.set({ collector: policy });
    await feedQueue(db, policy);
    await createRecorder(db, { browser: 'Firefox/140.0' }).record([finding(1), finding(2)]);
    await feedQueue(db, policy);
    await db.collectorState.update('collector', { lastError: { ts: Date.now(), message: 'HTTP 503' }, nextAttemptAt: Date.now() + 60_000 });
    render(<CollectorSection />, container);
    await until(() => q('[data-collector="on"]'));
    expect(q('[data-locked="true"]')).not.toBeNull();
    expect(q('[data-field="url"]')!.textContent).toBe('https://siem.example.org/ingest');
    expect(q('[data-field="queued"]')!.dataset.count).toBe('2');
    expect(q('[data-field="last-delivery"]')!.textContent).toBe('none yet');
    expect(q('[data-field="last-error"]')!.textContent).toContain('HTTP 503');
    expect(container.textContent).not.toContain('very-secret');
    expect(container.querySelector('input, button')).toBeNull();
  });
});
