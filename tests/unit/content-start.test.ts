import { afterEach, describe, expect, it } from 'vitest';
import { startObserving } from '@/lib/content/start';

const world = globalThis as { browser?: unknown; tapguardObserving?: boolean };

describe('startObserving', () => {
  afterEach(() => {
    delete world.browser;
    delete world.tapguardObserving;
  });

  it('observes a document once, however often the recogniser is injected into it', async () => {
    document.title = 'Roundcube Webmail';
    document.body.innerHTML = '<form><input name="_task" value="login"><input name="_token" value="t"><input id="rcmloginuser"></form>';
    const sent: { type: string }[] = [];
    world.browser = { runtime: { sendMessage: async (message: { type: string }) => void sent.push(message) } };
    startObserving(() => 'roundcube');
    startObserving(() => 'roundcube');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent.filter((m) => m.type === 'page-observed')).toHaveLength(1);
  });
});
