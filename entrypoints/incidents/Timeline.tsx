import { t } from '@/lib/core/i18n';
import type { Timeline as TimelineData } from '@/lib/store/log-query';
import { KINDS } from '@/lib/core/types';

const WIDTH = 900;
const HEIGHT = 170;
const LEFT = 34;
const BOTTOM = 22;
const TOP = 8;

function dateOf(start: number, dayOffset: number): Date {
  const d = new Date(start);
  d.setDate(d.getDate() + dayOffset);
  return d;
}

const shortDate = (d: Date) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
const longDate = (d: Date) => d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** One day's (or bucket's) bar, stacked by kind from the bottom; nothing for an empty day. */
function Bar({ bar, date, x, width, bottom, scale }: { bar: TimelineData['bars'][number]; date: Date; x: number; width: number; bottom: number; scale: number }) {
  const count = KINDS.reduce((sum, kind) => sum + bar[kind], 0);
  if (count === 0) return null;
  let y = bottom;
  const parts = KINDS.filter((kind) => bar[kind] > 0).map((kind) => `${t(`kind.${kind}`)} ${bar[kind]}`);
  return (
    <g class="bar" data-day={date.toISOString().slice(0, 10)} data-count={count}>
      <title>{`${t('timeline.bar', { date: longDate(date), count })} (${parts.join(', ')})`}</title>
      {KINDS.map((kind) => {
        const h = bar[kind] * scale;
        if (h === 0) return null;
        y -= h;
        return <rect key={kind} class={`kind-${kind}`} x={x} y={y} width={width} height={h} />;
      })}
    </g>
  );
}

/** Incidents per day, stacked by kind: plain SVG, every bar titled for pointer and screen reader. */
export function Timeline({ data }: { data: TimelineData }) {
  const n = data.bars.length;
  const slot = (WIDTH - LEFT) / Math.max(n, 1);
  const barWidth = Math.max(1, slot * 0.78);
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const max = Math.max(data.max, 1);
  const scale = plotHeight / max;
  const first = dateOf(data.start, 0);
  const last = dateOf(data.start, n * data.bucketDays - 1);
  const labels = n > 1 ? [0, Math.floor((n - 1) / 2), n - 1] : [0];
  const heading = data.bucketDays === 1 ? t('timeline.heading') : t('timeline.headingBucket', { days: data.bucketDays });
  const summary = t('timeline.summary', { total: data.total, from: longDate(first), to: longDate(last) });

  return (
    <section class="card timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{heading}</h2>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="timeline-title timeline-desc" class="timeline-chart">
        <title id="timeline-title">{heading}</title>
        <desc id="timeline-desc">{summary}</desc>
        <line class="axis" x1={LEFT} y1={TOP + plotHeight} x2={WIDTH} y2={TOP + plotHeight} />
        <line class="grid" x1={LEFT} y1={TOP} x2={WIDTH} y2={TOP} />
        <text class="axis-label" x={LEFT - 6} y={TOP + 4} text-anchor="end">
          {max}
        </text>
        <text class="axis-label" x={LEFT - 6} y={TOP + plotHeight} text-anchor="end">
          0
        </text>
        {data.bars.map((bar, i) => (
          <Bar key={i} bar={bar} date={dateOf(data.start, i * data.bucketDays)} x={LEFT + i * slot + (slot - barWidth) / 2} width={barWidth} bottom={TOP + plotHeight} scale={scale} />
        ))}
        {labels.map((i) => (
          <text key={i} class="axis-label" x={i === 0 ? LEFT : i === n - 1 ? WIDTH : LEFT + i * slot + slot / 2} y={HEIGHT - 6} text-anchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}>
            {shortDate(dateOf(data.start, i * data.bucketDays))}
          </text>
        ))}
      </svg>
      <ul class="legend" aria-label={t('filters.kind')}>
        {KINDS.map((kind) => (
          <li key={kind}>
            <span class={`swatch kind-${kind}`} aria-hidden="true" /> {t(`kind.${kind}`)}
          </li>
        ))}
      </ul>
      <p class="note">{summary}</p>
    </section>
  );
}
