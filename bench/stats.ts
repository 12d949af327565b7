/** Small statistics for noisy measurements: medians, quartiles, a seeded bootstrap. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export function summarise(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** mulberry32: a seeded generator, so a report's intervals can be reproduced from its samples. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Overhead of `treated` over `control` as median(treated) / median(control) − 1, with a 95%
 * percentile-bootstrap interval (2,000 resamples of each group), and the median of the paired
 * ratios (run i of one against run i of the other, which were interleaved).
 */
export function overhead(treated: readonly number[], control: readonly number[], seed = 1) {
  const random = rng(seed);
  const resample = (values: readonly number[]) => Array.from(values, () => values[Math.floor(random() * values.length)]!);
  const ratios: number[] = [];
  for (let i = 0; i < 2000; i++) ratios.push(median(resample(treated)) / median(resample(control)) - 1);
  const paired = treated.slice(0, Math.min(treated.length, control.length)).map((t, i) => t / control[i]! - 1);
  return {
    ratio: median(treated) / median(control) - 1,
    ci95: [quantile(ratios, 0.025), quantile(ratios, 0.975)] as [number, number],
    pairedMedian: median(paired),
    absoluteMs: median(treated) - median(control),
  };
}

export const pct = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
export const ms = (x: number, digits = 1) => `${x.toFixed(digits)} ms`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
