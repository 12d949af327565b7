import { fakeBrowser } from 'wxt/testing/fake-browser';
import { vi } from 'vitest';
import { createUiRequestHandler } from '@/lib/background/ui-requests';
import type { TapguardDb } from '@/lib/store/db';

/**
 * A fake message channel for the pages' tests: what a page sends goes straight to the
 * background's request handler, as from one of the extension's own pages (fake-browser's
 * sendMessage gives no sender). Returns the spy, to see what the page asked.
 */
export function connectUiChannel(db: TapguardDb, page = 'options.html') {
  const handle = createUiRequestHandler({ db, browser: 'Chrome/140.0' });
  const sender = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL(`/${page}`) };
  return vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockImplementation(async (message: unknown) => handle(message, sender));
}
