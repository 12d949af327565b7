/**
 * Bundle sizes per entrypoint of a build in .output: every file an entrypoint loads before it
 * can run (the HTML page, its scripts, module preloads and stylesheets, and their static imports,
 * transitively), raw and gzipped (Node's zlib, level 9), each file counted once per entrypoint.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface EntrySize {
  entry: string;
  files: string[];
  raw: number;
  gzip: number;
}

const gz = (buf: Buffer) => gzipSync(buf, { level: 9 }).length;

function staticImports(file: string, root: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  // Minified ESM: `import{a as b}from"./x.js"`, `import"./x.js"`; not `import("./x.js")`, which is lazy.
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']/g)) {
    const target = m[1]!.startsWith('/') ? path.join(root, m[1]!) : path.resolve(path.dirname(file), m[1]!);
    found.push(target);
  }
  return found;
}

function closure(start: string[], root: string): string[] {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.endsWith('.js')) queue.push(...staticImports(file, root));
  }
  return [...seen];
}

function htmlAssets(file: string, root: string): string[] {
  const html = readFileSync(file, 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)].map((m) => m[1]!);
  return refs.filter((r) => !/^[a-z]+:/i.test(r)).map((r) => (r.startsWith('/') ? path.join(root, r) : path.resolve(path.dirname(file), r)));
}

function size(entry: string, files: string[], root: string): EntrySize {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    raw += buf.length;
    gzip += gz(buf);
  }
  return { entry, files: files.map((f) => path.relative(root, f)).sort(), raw, gzip };
}

/** Sizes of every entrypoint in a build directory (e.g. .output/chrome-mv3). */
export function bundleSizes(dir: string): EntrySize[] {
  const root = path.resolve(dir);
  const entries: EntrySize[] = [];
  const contentDir = path.join(root, 'content-scripts');
  for (const name of readdirSync(contentDir).filter((f) => f.endsWith('.js'))) {
    const file = path.join(contentDir, name);
    entries.push(size(`content-scripts/${name}`, closure([file], root), root));
  }
  const background = path.join(root, 'background.js');
  if (statSync(background, { throwIfNoEntry: false })) entries.push(size('background.js', closure([background], root), root));
  for (const name of readdirSync(root).filter((f) => f.endsWith('.html'))) {
    const file = path.join(root, name);
    const assets = htmlAssets(file, root);
    entries.push(size(name, [file, ...closure(assets, root)], root));
  }
  return entries;
}
