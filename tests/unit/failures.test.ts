import { describe, expect, it, vi } from 'vitest';
import { isWorkerStopped, reportFailure } from '@/lib/background/failures';

describe('reportFailure', () => {
  it("warns, without an error, when Chrome stopped the worker mid-task ('No SW')", () => {
    const log = { error: vi.fn(), warn: vi.fn() };
    reportFailure('page change', new Error('No SW'), log);
    expect(log.error).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith('tapguard: page change cut short: the browser stopped the worker');
  });

  it('reports any other failure as an error, with the error itself', () => {
    const log = { error: vi.fn(), warn: vi.fn() };
    const error = new Error('QuotaExceededError');
    reportFailure('page change', error, log);
    expect(log.error).toHaveBeenCalledWith('tapguard: page change failed', error);
    expect(isWorkerStopped(error)).toBe(false);
    expect(isWorkerStopped('No SW')).toBe(false);
  });
});
