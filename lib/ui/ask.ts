import { browser } from '../browser';
import type { UiAnswers, UiReply, UiRequest, UiRequestType } from '../ui-messages';

/**
 * Asks the background, the one owner of settings and the log (lib/background/ui-requests.ts).
 * tapguard's pages read and write storage only through this; a refusal or a missing answer
 * (the worker was stopped mid-request) is thrown, so the page can say so.
 */
export async function ask<T extends UiRequestType>(request: Extract<UiRequest, { type: T }>): Promise<UiAnswers[T]> {
  const reply = (await browser.runtime.sendMessage(request)) as UiReply<T> | undefined;
  if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') throw new Error('the background did not answer');
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
