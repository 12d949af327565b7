/**
 * A private ClickHouse server for the collector e2e test: Debian's `clickhouse-server`, started
 * with its own config in a temporary directory, the HTTP interface only, on a free loopback port
 * (no native TCP, no interserver port: none is configured). It can be stopped and started again
 * on the same port and data, as a collector that goes down and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CLICKHOUSE_BINARY = '/usr/sbin/clickhouse-server';
export const CLICKHOUSE_USER = 'tapguard';
export const CLICKHOUSE_PASSWORD = 'e2e-secret';

/** The table an administrator would create (README, "Organisation collector"). */
export const CREATE_TABLE = `CREATE TABLE tapguard_incidents (
  time DateTime, ts UInt64, id UInt64, device String, browser String, kind String, rule String,
  severity String, host String, url String, title String, evidence String, dedupe_key String,
  prev_hash String, hash String, dropped UInt64, tapguard_version String
) ENGINE = MergeTree() ORDER BY (time, hash)`;

export interface ClickHouse {
  port: number;
  url: string;
  query(sql: string): Promise<string>;
  rows<T>(sql: string): Promise<T[]>;
  stop(): Promise<void>;
  /** Starts it again (same port, same data); does nothing while it runs. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function requireClickHouse(): void {
  try {
    accessSync(CLICKHOUSE_BINARY, fsConstants.X_OK);
  } catch {
    throw new Error(`the collector e2e test needs ${CLICKHOUSE_BINARY}: apt-get install -y clickhouse-server`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${port}</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <${CLICKHOUSE_USER}>
      <password>${CLICKHOUSE_PASSWORD}</password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${CLICKHOUSE_USER}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

export async function startClickHouse(): Promise<ClickHouse> {
  requireClickHouse();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapguard-e2e-clickhouse-'));
  const port = await freePort();
  await writeFile(path.join(dir, 'config.xml'), config(dir, port));
  await writeFile(path.join(dir, 'users.xml'), USERS);
  const url = `http://127.0.0.1:${port}/`;
  let child: ChildProcess | undefined;
  let output = '';

  const query = async (sql: string) => {
    const response = await fetch(url, {
      method: 'POST',
      body: sql,
      headers: { Authorization: `Basic ${Buffer.from(`${CLICKHOUSE_USER}:${CLICKHOUSE_PASSWORD}`).toString('base64')}` },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse: ${text}`);
    return text;
  };

  const start = async () => {
    if (child && child.exitCode === null) return;
    child = spawn(CLICKHOUSE_BINARY, [`--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode}): ${output}`);
      if ((await query('SELECT 1').catch(() => '')).trim() === '1') return;
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer on ${url}: ${output}`);
      await sleep(200);
    }
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!killed) {
      running.kill('SIGKILL');
      await exited;
    }
  };

  await start();
  return {
    port,
    url,
    query,
    async rows<T>(sql: string) {
      const text = await query(`${sql} FORMAT JSONEachRow`);
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as T);
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
