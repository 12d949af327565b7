/**
 * Spike proving tests/e2e/browsers.ts + idb.ts work, independent of the real extension: a throwaway
 * CA and leaf (openssl CLI), a local HTTPS server on 127.0.0.1, and throwaway extensions, all in a
 * temp dir.
 *
 * Chromium: extension installed; https://spike.tapguard.test:<port>/ loads with the test CA trusted
 * in the profile only; an extension page reads/writes IndexedDB and chrome.storage.local.
 * Firefox: the same, plus an MV2 background whose blocking webRequest.onHeadersReceived listener
 * records webRequest.getSecurityInfo() for that page: the test CA must be the chain's last cert,
 * with isBuiltInRoot false.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUrl, launch, PROBE_PAGE, type BrowserName, type Session } from './browsers';
import { getStorageLocal, listDatabases, readStore, setStorageLocal } from './idb';

const HOST = 'spike.tapguard.test';
const CA_CN = 'tapguard spike CA';
const GECKO_ID = 'spike@tapguard.test';

let dir: string;
let caPem: string;
let caFingerprint: string;
let server: https.Server;
let origin: string;
let chromeExt: string;
let firefoxExt: string;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function makeTls(cwd: string): Promise<{ key: string; cert: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${CA_CN}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], cwd);
  openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${HOST}`], cwd);
  await writeFile(path.join(cwd, 'leaf.ext'),
    `subjectAltName=DNS:${HOST}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext'], cwd);
  return {
    key: await readFile(path.join(cwd, 'leaf.key'), 'utf8'),
    cert: await readFile(path.join(cwd, 'leaf.pem'), 'utf8'),
  };
}

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>extension page</title><p>spike</p>';

/** Firefox MV2 background: record getSecurityInfo() of the spike page's main request. */
const FIREFOX_BG = `
browser.webRequest.onHeadersReceived.addListener(async (details) => {
  if (details.type !== 'main_frame') return {};
  const info = await browser.webRequest.getSecurityInfo(details.requestId, { certificateChain: true });
  await browser.storage.local.set({ securityInfo: {
    url: details.url,
    state: info.state,
    isUntrusted: info.isUntrusted === true, // only present when true
    certificates: (info.certificates || []).map((c) => ({
      subject: c.subject, issuer: c.issuer, isBuiltInRoot: c.isBuiltInRoot, sha256: c.fingerprint && c.fingerprint.sha256,
    })),
  } });
  return {};
}, { urls: ['https://${HOST}/*'] }, ['blocking']);
`;

async function makeExtensions(root: string): Promise<void> {
  chromeExt = path.join(root, 'ext-chrome');
  firefoxExt = path.join(root, 'ext-firefox');
  await mkdir(chromeExt);
  await mkdir(firefoxExt);
  await writeFile(path.join(chromeExt, 'manifest.json'), JSON.stringify({
    manifest_version: 3, name: 'tapguard spike', version: '0.0.1',
    permissions: ['storage'], background: { service_worker: 'bg.js' },
  }));
  await writeFile(path.join(chromeExt, 'bg.js'), '// spike\n');
  await writeFile(path.join(chromeExt, 'page.html'), PAGE_HTML);
  await writeFile(path.join(firefoxExt, 'manifest.json'), JSON.stringify({
    manifest_version: 2, name: 'tapguard spike', version: '0.0.1',
    permissions: ['webRequest', 'webRequestBlocking', '<all_urls>', 'storage'],
    background: { scripts: ['bg.js'] },
    browser_specific_settings: { gecko: { id: GECKO_ID } },
  }));
  await writeFile(path.join(firefoxExt, 'bg.js'), FIREFOX_BG);
  await writeFile(path.join(firefoxExt, 'page.html'), PAGE_HTML);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tapguard-spike-'));
  const tls = await makeTls(dir);
  caPem = await readFile(path.join(dir, 'ca.pem'), 'utf8');
  caFingerprint = new X509Certificate(caPem).fingerprint256;
  await makeExtensions(dir);
  server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>spike</title><p id="ok">hello from ${req.headers.host}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://${HOST}:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Write two rows (one with a Date and bytes) into IndexedDB from the extension page. */
async function writeIdb(page: Page): Promise<void> {
  await page.evaluate(`new Promise((resolve, reject) => {
    const req = indexedDB.open('spike', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('events', { keyPath: 'id', autoIncrement: true });
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction('events', 'readwrite');
      tx.objectStore('events').put({ kind: 'a', at: new Date(1700000000000), bytes: new Uint8Array([1, 2, 3]) });
      tx.objectStore('events').put({ kind: 'b', nested: { list: [1, 'x', null] } });
      tx.oncomplete = () => { db.close(); resolve(true); };
      tx.onerror = () => reject(tx.error);
    };
  })`);
}

async function checkExtensionStorage(s: Session): Promise<void> {
  const page = await s.openExtensionPage('/page.html?from=spike');
  // Not page.url(): under Firefox/BiDi it stays 'about:blank' for moz-extension documents.
  expect(await currentUrl(page)).toBe(`${s.extensionOrigin}/page.html?from=spike`);
  await writeIdb(page);
  expect(await listDatabases(page)).toContainEqual({ name: 'spike', version: 1 });
  const rows = await readStore<Record<string, unknown>>(page, 'spike', 'events');
  expect(rows).toEqual([
    { id: 1, kind: 'a', at: new Date(1700000000000), bytes: new Uint8Array([1, 2, 3]) },
    { id: 2, kind: 'b', nested: { list: [1, 'x', null] } },
  ]);
  await expect(readStore(page, 'no-such-db', 'events')).rejects.toThrow(/does not exist/);
  expect(await listDatabases(page)).not.toContainEqual(expect.objectContaining({ name: 'no-such-db' }));
  await setStorageLocal(page, { spike: { n: 1, s: 'two' } });
  expect(await getStorageLocal(page)).toMatchObject({ spike: { n: 1, s: 'two' } });
  await page.close();
}

async function timedLaunch(name: BrowserName, extensionDir: string): Promise<Session> {
  const t0 = performance.now();
  const s = await launch(name, { extensionDir, trustCaPems: [caPem], hostMap: [HOST] });
  console.log(`[spike] ${name} launch with extension: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return s;
}

describe('e2e harness spike', () => {
  it('chromium: extension, trusted test CA on a mapped host, IndexedDB + storage.local', async () => {
    const s = await timedLaunch('chromium', chromeExt);
    try {
      expect(s.extensionId).toMatch(/^[a-p]{32}$/);
      expect(s.extensionOrigin).toBe(`chrome-extension://${s.extensionId}`);
      const page = await s.browser.newPage();
      const res = await page.goto(`${origin}/`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      expect(res?.securityDetails()?.issuer()).toBe(CA_CN);
      expect(await page.$eval('#ok', (e) => e.textContent)).toBe(`hello from ${new URL(origin).host}`);
      // Names outside hostMap never reach the system resolver.
      await expect(page.goto(origin.replace(HOST, 'unmapped.tapguard.test'))).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
      await page.close();
      await checkExtensionStorage(s);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('firefox: same, plus webRequest.getSecurityInfo sees the test CA as a non-built-in root', async () => {
    const s = await timedLaunch('firefox', firefoxExt);
    try {
      expect(s.extensionId).toBe(GECKO_ID);
      expect(s.extensionOrigin).toMatch(/^moz-extension:\/\/[0-9a-f-]{36}$/);
      // First navigation right after launch: also proves launch() waited for the background page.
      const page = await s.browser.newPage();
      const res = await page.goto(`${origin}/`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      expect(await page.$eval('#ok', (e) => e.textContent)).toBe(`hello from ${new URL(origin).host}`);
      await page.close();
      await checkExtensionStorage(s);

      const ext = await s.openExtensionPage(PROBE_PAGE);
      type Info = {
        url: string; state: string; isUntrusted: boolean;
        certificates: { subject: string; isBuiltInRoot: boolean; sha256: string }[];
      };
      // The listener stores asynchronously; it has normally finished long before this point.
      let info: Info | undefined;
      for (let i = 0; i < 50 && !info; i++) {
        info = (await getStorageLocal<{ securityInfo?: Info }>(ext)).securityInfo;
        if (!info) await new Promise((r) => setTimeout(r, 100));
      }
      expect(info?.url).toBe(`${origin}/`);
      expect(info?.state).toBe('secure');
      expect(info?.isUntrusted).toBe(false);
      expect(info?.certificates).toHaveLength(2);
      const root = info?.certificates.at(-1);
      expect(root?.subject).toBe(`CN=${CA_CN}`);
      expect(root?.sha256).toBe(caFingerprint);
      expect(root?.isBuiltInRoot).toBe(false);
      expect(info?.certificates[0]?.subject).toBe(`CN=${HOST}`);
      await ext.close();
    } finally {
      await s.close();
    }
  }, 60_000);
});
