import { describe, expect, it } from 'vitest';
import { createDelivery } from '@/lib/content/deliver';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createDelivery', () => {
  it('sends once when the background answers', async () => {
    const sent: unknown[] = [];
    const deliver = createDelivery(async (m) => void sent.push(m), { setTimeout: (run) => run() });
    deliver({ type: 'page-observed' });
    await flush();
    expect(sent).toEqual([{ type: 'page-observed' }]);
  });

  it('sends again, after the given delays, when the channel closed before an answer', async () => {
    let calls = 0;
    const waits: number[] = [];
    const deliver = createDelivery(
      async () => {
        if (++calls < 3) throw new Error('The message port closed before a response was received.');
      },
      { retryDelaysMs: [10, 20], setTimeout: (run, ms) => (waits.push(ms), run()) },
    );
    deliver({ type: 'elements-added' });
    for (let i = 0; i < 5; i++) await flush();
    expect(calls).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it('gives up after the last retry', async () => {
    let calls = 0;
    const deliver = createDelivery(
      async () => {
        calls++;
        throw new Error('Could not establish connection. Receiving end does not exist.');
      },
      { retryDelaysMs: [1, 1], setTimeout: (run) => run() },
    );
    deliver({});
    for (let i = 0; i < 8; i++) await flush();
    expect(calls).toBe(3);
  });
});
