import { afterEach, describe, expect, it } from 'vitest';
import type { TapguardDb } from '@/lib/store/db';
import { exportJsonl, verifyJsonl } from '@/lib/store/export';
import { GENESIS_HASH, toIncident } from '@/lib/store/incidents';
import { clearLog } from '@/lib/store/log';
import { toEcsDocument } from '@/lib/store/siem/ecs';
import { isMappableIncident } from '@/lib/store/siem/evidence';
import { exportSiem } from '@/lib/store/siem/export';
import { toOcsfFinding } from '@/lib/store/siem/ocsf';
import { SIEM_RULES } from '@/lib/store/siem/rules';
import { RULE_IDS, type Evidence, type Incident, type RuleId } from '@/lib/core/types';
import { collect, freshDb, seed } from './log-fixtures';

const CERT_EVIDENCE: Evidence = {
  subject: 'CN=mail.example.org',
  issuer: 'CN=Qaznet Trust Network,C=KZ',
  root: 'CN=Qaznet Trust Network,C=KZ',
  rootSha256: 'c'.repeat(64),
  leafSha256: 'a'.repeat(64),
  serial: '01:02:03',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2026-04-01T00:00:00.000Z',
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
};

/** Evidence shaped as each detector writes it (lib/core/detect/*). */
function evidenceFor(rule: RuleId): Evidence {
  if (SIEM_RULES[rule].connection === 'certificate') return CERT_EVIDENCE;
  if (rule === 'tls.weak-protocol') return { protocol: 'TLSv1', cipher: null, resourceType: 'main_frame' };
  if (rule === 'tls.weak-cipher') return { cipher: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', reason: '3DES', protocol: 'TLSv1.2' };
  const field = SIEM_RULES[rule].relatedUrlField;
  return field ? { [field]: 'https://evil.example/x.js' } : { note: 'nothing else' };
}

function incidentFor(rule: RuleId, id = 7): Incident {
  const severity = rule.startsWith('cert.') ? 'critical' : 'high';
  const incident = toIncident(
    { rule, severity, host: 'mail.example.org', url: 'https://mail.example.org:8443/mail/?_uid=3', evidence: evidenceFor(rule), dedupeParts: ['x'] },
    Date.UTC(2026, 4, 1, 12),
    'Firefox/140.0',
    GENESIS_HASH,
  );
  return { ...incident, id };
}

/** Every attribute the OCSF 1.x schema marks "required" for class 2004 and the objects we fill. */
function ocsfProblems(finding: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (object: unknown, path: string, field: string, check: (v: unknown) => boolean) => {
    const value = (object as Record<string, unknown> | undefined)?.[field];
    if (!check(value)) problems.push(`${path}.${field}`);
  };
  const int = (v: unknown) => Number.isInteger(v);
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  for (const field of ['activity_id', 'category_uid', 'class_uid', 'severity_id', 'time', 'type_uid']) need(finding, '', field, int);
  if (finding.class_uid !== 2004 || finding.activity_id !== 1 || finding.type_uid !== 200401 || finding.category_uid !== 2) problems.push('class/activity');
  const metadata = finding.metadata as Record<string, unknown>;
  need(metadata, 'metadata', 'version', str);
  need(metadata?.product, 'metadata.product', 'name', str);
  const info = finding.finding_info as Record<string, unknown>;
  need(info, 'finding_info', 'uid', str);
  need(info, 'finding_info', 'title', str);
  need(info?.analytic, 'finding_info.analytic', 'type_id', (v) => v === 1);
  need(info?.analytic, 'finding_info.analytic', 'uid', str);
  const evidences = finding.evidences as Array<Record<string, unknown>>;
  if (!Array.isArray(evidences) || evidences.length === 0) problems.push('evidences');
  for (const evidence of evidences ?? []) {
    need(evidence.url, 'evidences.url', 'url_string', str);
    const tls = evidence.tls as Record<string, unknown> | undefined;
    if (tls) {
      need(tls, 'evidences.tls', 'version', str);
      if (tls.certificate) {
        need(tls.certificate, 'tls.certificate', 'issuer', str);
        need(tls.certificate, 'tls.certificate', 'serial_number', str);
        for (const fp of ((tls.certificate as Record<string, unknown>).fingerprints as Array<Record<string, unknown>>) ?? []) {
          need(fp, 'fingerprint', 'algorithm_id', int);
          need(fp, 'fingerprint', 'value', str);
        }
      }
    }
  }
  return problems;
}

function ecsProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const get = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
  if (!Number.isFinite(Date.parse(String(doc['@timestamp'])))) problems.push('@timestamp');
  for (const path of ['ecs.version', 'event.hash', 'rule.id', 'rule.name', 'url.full', 'url.domain', 'url.scheme', 'url.path', 'tapguard.prev_hash'])
    if (typeof get(path) !== 'string' || get(path) === '') problems.push(path);
  if (get('event.kind') !== 'alert') problems.push('event.kind');
  if (JSON.stringify(get('event.category')) !== '["network","intrusion_detection"]') problems.push('event.category');
  if (!Number.isInteger(get('event.severity'))) problems.push('event.severity');
  return problems;
}

describe('OCSF Detection Finding', () => {
  it.each(RULE_IDS)('maps %s with every required attribute', (rule) => {
    const incident = incidentFor(rule);
    const finding = toOcsfFinding(incident, { tapguardVersion: '0.1.0', device: 'desk-12' });
    expect(ocsfProblems(finding)).toEqual([]);
    expect((finding.finding_info as { uid: string }).uid).toBe(incident.hash);
    expect((finding.unmapped as { tapguard: { prevHash: string } }).tapguard.prevHash).toBe(incident.prevHash);
    expect((finding.finding_info as { analytic: { uid: string } }).analytic.uid).toBe(rule);
    // Round-trips through JSON unchanged (no undefined, no functions).
    expect(JSON.parse(JSON.stringify(finding))).toEqual(finding);
  });

  it('puts the certificate of a certificate rule under evidences[].tls.certificate', () => {
    const finding = toOcsfFinding(incidentFor('cert.untrusted-root'), { tapguardVersion: '0.1.0' });
    const tls = (finding.evidences as Array<{ tls?: Record<string, unknown> }>)[0]!.tls!;
    expect(tls.version).toBe('TLSv1.3');
    expect(tls.certificate).toMatchObject({
      issuer: 'CN=Qaznet Trust Network,C=KZ',
      serial_number: '01:02:03',
      subject: 'CN=mail.example.org',
      created_time: Date.UTC(2026, 0, 1),
      fingerprints: [{ algorithm_id: 3, value: 'a'.repeat(64) }],
    });
    expect(finding.severity_id).toBe(5);
  });

  it('fills the required fields even when an older record lacks the certificate details', () => {
    const incident = { ...incidentFor('cert.expired'), evidence: { subject: 'CN=x' } };
    expect(ocsfProblems(toOcsfFinding(incident, { tapguardVersion: '0.1.0' }))).toEqual([]);
  });
});

describe('Elastic Common Schema', () => {
  it.each(RULE_IDS)('maps %s with event, rule, url and the chain hash', (rule) => {
    const incident = incidentFor(rule);
    const doc = toEcsDocument(incident, { tapguardVersion: '0.1.0' });
    expect(ecsProblems(doc)).toEqual([]);
    expect((doc.event as { hash: string }).hash).toBe(incident.hash);
    expect(doc.url).toMatchObject({ domain: 'mail.example.org', port: 8443, path: '/mail/' });
  });

  it('fills tls.server.x509 for certificate rules and tls.version for TLS rules', () => {
    const cert = toEcsDocument(incidentFor('cert.known-interceptor'), { tapguardVersion: '0.1.0' });
    expect(cert.tls).toMatchObject({
      version: '1.3',
      version_protocol: 'tls',
      server: {
        x509: { issuer: { distinguished_name: 'CN=Qaznet Trust Network,C=KZ' }, subject: { distinguished_name: 'CN=mail.example.org' }, serial_number: '01:02:03', not_after: '2026-04-01T00:00:00.000Z' },
        hash: { sha256: 'A'.repeat(64) },
      },
    });
    const weak = toEcsDocument(incidentFor('tls.weak-protocol'), { tapguardVersion: '0.1.0' });
    expect(weak.tls).toEqual({ version: '1', version_protocol: 'tls' });
    expect(toEcsDocument(incidentFor('script.new-origin'), { tapguardVersion: '0.1.0' }).tls).toBeUndefined();
  });
});

describe('SIEM exports', () => {
  let db: TapguardDb;
  afterEach(async () => {
    await db?.delete();
  });

  it('streams one line per incident, skipping log markers, with hashes matching the JSONL evidence file', async () => {
    db = freshDb();
    await seed(db, 5, { varied: true });
    await clearLog(db, { browser: 'Firefox/140.0' });
    await seed(db, 1200, { varied: true });
    const evidence = (await collect(exportJsonl(db, { tapguardVersion: '0.1.0', browser: 'Firefox/140.0', checks: [], exportedAt: '2026-05-01T12:00:00.000Z' })))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line) as Omit<Incident, 'kind'> & { kind: string });
    expect((await verifyJsonl(evidence.map((r) => JSON.stringify(r)))).ok).toBe(true);
    const incidents = evidence.filter((r) => r.kind !== 'meta');
    expect(incidents).toHaveLength(1200);

    const ocsf = (await collect(exportSiem(db, 'ocsf', { tapguardVersion: '0.1.0', pageSize: 500 }))).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ecs = (await collect(exportSiem(db, 'ecs', { tapguardVersion: '0.1.0', pageSize: 500 }))).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ocsf.map((f) => (f.finding_info as { uid: string }).uid)).toEqual(incidents.map((r) => r.hash));
    expect(ocsf.map((f) => (f.unmapped as { tapguard: { prevHash: string } }).tapguard.prevHash)).toEqual(incidents.map((r) => r.prevHash));
    expect(ecs.map((d) => (d.event as { hash: string }).hash)).toEqual(incidents.map((r) => r.hash));
    expect(ecs.map((d) => (d.tapguard as { prev_hash: string }).prev_hash)).toEqual(incidents.map((r) => r.prevHash));
  });

  it('yields nothing for an empty log', async () => {
    db = freshDb();
    expect(await collect(exportSiem(db, 'ecs', { tapguardVersion: '0.1.0' }))).toBe('');
  });

  it('leaves out markers and records of kinds or rules it does not know', () => {
    const incident = incidentFor('tls.http-page');
    expect(isMappableIncident(incident)).toBe(true);
    expect(isMappableIncident({ ...incident, kind: 'meta' } as never)).toBe(false);
    expect(isMappableIncident({ ...incident, rule: 'net.future-rule' } as never)).toBe(false);
  });
});
