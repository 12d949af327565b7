import { describe, expect, it } from 'vitest';
import { buildRequest, wasDelivered } from '@/lib/background/collector/formats';
import type { CollectorPolicy } from '@/lib/background/collector/policy';
import { GENESIS_HASH, toIncident } from '@/lib/store/incidents';
import type { Incident } from '@/lib/core/types';
import { finding } from './log-fixtures';

function incidents(): Incident[] {
  const first = { ...toIncident(finding(1), Date.UTC(2026, 4, 1, 12, 0, 0, 250), 'Chrome/140.0', GENESIS_HASH), id: 41 };
  const second = { ...toIncident(finding(2, { rule: 'tls.http-page', severity: 'critical' }), Date.UTC(2026, 4, 1, 12, 0, 1), 'Chrome/140.0', first.hash), id: 42 };
  return [first, second];
}
const context = { tapguardVersion: '0.1.0', dropped: 3 };
const policy = (patch: Partial<CollectorPolicy>): CollectorPolicy => ({ url: 'https://collector.example.org/', format: 'clickhouse', minSeverity: 'medium', device: 'desk-12', ...patch });

describe('collector request shapes', () => {
  it('clickhouse: INSERT … FORMAT JSONEachRow in the query string, one row per line, Basic auth from user:password', () => {
    const request = buildRequest(policy({ url: 'http://127.0.0.1:8123/', token: 'tapguard:s3cret' }), incidents(), context);
    const url = new URL(request.url);
    expect(url.searchParams.get('query')).toBe('INSERT INTO tapguard_incidents FORMAT JSONEachRow');
    expect(url.searchParams.get('input_format_skip_unknown_fields')).toBe('1');
    expect(request.headers.Authorization).toBe(`Basic ${btoa('tapguard:s3cret')}`);
    const rows = request.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ time: '2026-05-01 12:00:00', id: 41, device: 'desk-12', dropped: 3, hash: incidents()[0]!.hash, prev_hash: GENESIS_HASH });
    expect(typeof rows[0]!.evidence).toBe('string');
    // The administrator's own query wins.
    const own = buildRequest(policy({ url: 'http://127.0.0.1:8123/?query=INSERT%20INTO%20logs.tg%20FORMAT%20JSONEachRow' }), incidents(), context);
    expect(new URL(own.url).searchParams.get('query')).toBe('INSERT INTO logs.tg FORMAT JSONEachRow');
  });

  it('loki: the push API JSON, nanosecond timestamps as strings, few labels, the row as the line', () => {
    const request = buildRequest(policy({ format: 'loki', url: 'https://loki.example.org/loki/api/v1/push', token: 'abc' }), incidents(), context);
    expect(request.headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: 'Bearer abc' });
    const body = JSON.parse(request.body) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
    expect(body.streams.map((s) => s.stream)).toEqual([
      { service_name: 'tapguard', severity: 'high', device: 'desk-12' },
      { service_name: 'tapguard', severity: 'critical', device: 'desk-12' },
    ]);
    const [ts, line] = body.streams[0]!.values[0]!;
    expect(ts).toBe(`${Date.UTC(2026, 4, 1, 12, 0, 0, 250)}000000`);
    expect(BigInt(ts)).toBe(BigInt(Date.UTC(2026, 4, 1, 12, 0, 0, 250)) * 1_000_000n);
    expect(JSON.parse(line)).toMatchObject({ hash: incidents()[0]!.hash, rule: 'script.new-origin' });
  });

  it('splunk-hec: {time, host, source, sourcetype, event} per event, Splunk token header', () => {
    const request = buildRequest(policy({ format: 'splunk-hec', url: 'https://splunk.example.org:8088/services/collector/event', token: 'b0a5…' }), incidents(), context);
    expect(request.headers.Authorization).toBe('Splunk b0a5…');
    const events = request.body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(2);
    for (const event of events) expect(Object.keys(event).sort()).toEqual(['event', 'host', 'source', 'sourcetype', 'time']);
    expect(events[0]).toMatchObject({ time: Date.UTC(2026, 4, 1, 12, 0, 0, 250) / 1000, host: 'desk-12', source: 'tapguard', sourcetype: 'tapguard:incident' });
    expect((events[1]!.event as Record<string, unknown>).hash).toBe(incidents()[1]!.hash);
  });

  it('elastic-bulk: NDJSON action and ECS document pairs ending in a newline, create with the hash as _id', () => {
    const request = buildRequest(policy({ format: 'elastic-bulk', url: 'https://es.example.org:9200/logs-tapguard-default/_bulk', token: 'aWQ6a2V5' }), incidents(), context);
    expect(request.headers).toMatchObject({ 'Content-Type': 'application/x-ndjson', Authorization: 'ApiKey aWQ6a2V5' });
    expect(request.body.endsWith('\n')).toBe(true);
    const lines = request.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({ create: { _id: incidents()[0]!.hash } });
    expect(lines[1]!.event).toMatchObject({ kind: 'alert', hash: incidents()[0]!.hash });
    expect(lines[1]!.tapguard).toMatchObject({ dropped: 3, prev_hash: GENESIS_HASH });
  });

  it('ocsf-json: a JSON array of Detection Findings', () => {
    const request = buildRequest(policy({ format: 'ocsf-json' }), incidents(), context);
    const findings = JSON.parse(request.body) as Array<Record<string, Record<string, unknown>>>;
    expect(findings.map((f) => f.class_uid)).toEqual([2004, 2004]);
    expect(findings[1]!.finding_info!.uid).toBe(incidents()[1]!.hash);
    expect((findings[0]!.unmapped!.tapguard as Record<string, unknown>).dropped).toBe(3);
    expect(findings[0]!.device).toMatchObject({ name: 'desk-12' });
  });

  it('reads Elastic’s bulk answer: refused documents are a failure, duplicates (409) are not', async () => {
    const elastic = policy({ format: 'elastic-bulk' });
    const answer = (items: number[]) => new Response(JSON.stringify({ errors: true, items: items.map((status) => ({ create: { status } })) }), { status: 200 });
    expect(await wasDelivered(elastic, answer([201, 409]))).toEqual({ ok: true });
    expect(await wasDelivered(elastic, answer([201, 400]))).toMatchObject({ ok: false });
    expect(await wasDelivered(policy({}), new Response('', { status: 500 }))).toEqual({ ok: false, error: 'HTTP 500' });
    // Refusals of the content (narrowed down by the collector) apart from an engine away or misconfigured (retried).
    expect(await wasDelivered(policy({}), new Response('', { status: 400 }))).toEqual({ ok: false, error: 'HTTP 400', refused: true });
    expect(await wasDelivered(policy({}), new Response('', { status: 413 }))).toMatchObject({ refused: true });
    for (const status of [401, 403, 404, 429, 503]) expect(await wasDelivered(policy({}), new Response('', { status }))).not.toHaveProperty('refused');
    expect(await wasDelivered(elastic, answer([201, 400]))).toMatchObject({ ok: false, refused: true });
    expect(await wasDelivered(elastic, answer([201, 429]))).not.toHaveProperty('refused');
  });
});
