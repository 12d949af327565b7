import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentScriptsFor,
  createContentScriptSync,
  knownHostPatterns,
  matchPatternForHost,
  matchPatternsForPaths,
  RECOGNISE_SCRIPT,
  WATCH_SCRIPT,
  type ContentScriptRegistration,
  type ScriptingApi,
} from '@/lib/background/content-scripts';

const knownPathsOnly = (lists: Parameters<typeof knownHostPatterns>[0]) => knownHostPatterns(lists).filter((p) => !/^\*:\/\/[^/]+\/\*$/.test(p));

const LISTS = { userSites: ['chat.example.org', '*.example.net'], recognisedHosts: { 'mail.example.org': 'roundcube' } };

/** The browser's registry, with its refusals: duplicate ids, unknown ids, empty `matches`. */
function fakeScripting() {
  const registered = new Map<string, ContentScriptRegistration>();
  const calls: string[] = [];
  const api: ScriptingApi = {
    async getRegisteredContentScripts() {
      return [...registered.values()].map((s) => structuredClone(s));
    },
    async registerContentScripts(scripts) {
      calls.push(`register ${scripts.map((s) => s.id)}`);
      for (const s of scripts) {
        if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
        if (!s.matches.length) throw new Error('matches must not be empty');
        // Chrome: "match_origin_as_fallback" needs a wildcard path in every pattern.
        if (s.matchOriginAsFallback && s.matches.some((p) => !/^[^:]+:\/\/[^/]+\/\*$/.test(p))) throw new Error('the path must be /* with matchOriginAsFallback');
      }
      for (const s of scripts) registered.set(s.id, structuredClone(s));
    },
    async updateContentScripts(scripts) {
      calls.push(`update ${scripts.map((s) => s.id)}`);
      for (const s of scripts) {
        if (!registered.has(s.id)) throw new Error(`No script with ID '${s.id}'`);
        registered.set(s.id, structuredClone(s));
      }
    },
    async unregisterContentScripts(filter) {
      calls.push(`unregister ${filter?.ids}`);
      for (const id of filter?.ids ?? [...registered.keys()]) registered.delete(id);
    },
  };
  return { api, registered, calls };
}

describe('content script registrations', () => {
  it('turns host names and wildcards into match patterns, and refuses what a browser would refuse', () => {
    expect(matchPatternForHost('mail.example.org')).toBe('*://mail.example.org/*');
    expect(matchPatternForHost('*.Example.NET')).toBe('*://*.example.net/*');
    expect(matchPatternForHost('10.0.0.7')).toBe('*://10.0.0.7/*');
    for (const bad of ['', '[2001:db8::1]', 'mail.example.org:8443', 'a/b', 'ex ample.org', '*.', 'localhost', '127.0.0.1', '*.localhost', '-x.org']) {
      expect(matchPatternForHost(bad), bad).toBeUndefined();
    }
  });

  it('knows built-in services, the user’s sites and recognised hosts', () => {
    const patterns = knownHostPatterns(LISTS);
    expect(patterns).toEqual(expect.arrayContaining(['*://mail.google.com/*', '*://*.slack.com/*', '*://chat.example.org/*', '*://*.example.net/*', '*://mail.example.org/*']));
    expect(new Set(patterns).size).toBe(patterns.length);
  });

  it('registers the watch script for Messenger inside Facebook by path only', () => {
    const patterns = knownHostPatterns({ userSites: [], recognisedHosts: {} });
    const facebook = patterns.filter((p) => p.includes('facebook.com'));
    expect(facebook).toEqual(['*://www.facebook.com/messages', '*://www.facebook.com/messages/*', '*://www.facebook.com/messages?*']);
    expect(patterns).toContain('*://meet.google.com/*');
    // As a browser reads them (scheme, host, then path and query together, `*` any run of characters):
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.?]/g, '\\$&').replace(/\*/g, '.*').replace(/^\.\*:/, 'https?:')}$`);
    const matched = (url: string) => facebook.some((p) => glob(p).test(url.replace(/#.*/, '')));
    for (const url of ['https://www.facebook.com/messages', 'https://www.facebook.com/messages/t/1', 'https://www.facebook.com/messages?ref=bookmarks']) expect(matched(url), url).toBe(true);
    for (const url of ['https://www.facebook.com/', 'https://www.facebook.com/groups/1/messages/', 'https://www.facebook.com/messages.fan', 'https://www.facebook.com/watch#/messages/']) expect(matched(url), url).toBe(false);
    expect(matchPatternsForPaths('www.facebook.com', ['/messages', 'no-slash', '/x/', '/a b', '/*'])).toHaveLength(3);
    expect(matchPatternsForPaths('localhost', ['/messages'])).toEqual([]);
  });

  it('watches known hosts, in every frame from document_start, and registers nothing for other pages', () => {
    const registrations = contentScriptsFor(LISTS);
    const [watch, watchPaths] = registrations;
    expect(registrations.map((r) => r.id)).toEqual(['watch', 'watch-paths']);
    expect(watch).toMatchObject({ id: 'watch', js: ['content-scripts/watch.js'], allFrames: true, matchOriginAsFallback: true, runAt: 'document_start', persistAcrossSessions: true });
    // Chrome refuses matchOriginAsFallback unless every pattern's path is /*: path-scoped services apart.
    expect(watch!.matches.every((p) => p.endsWith('/*') && p.split('/').length === 4)).toBe(true);
    expect(watchPaths).toMatchObject({ id: 'watch-paths', js: ['content-scripts/watch.js'], allFrames: true, matchOriginAsFallback: false, matches: knownPathsOnly(LISTS) });
    // No pattern reaches beyond a known host (or a known service's paths): an ordinary page gets no script.
    for (const pattern of registrations.flatMap((r) => r.matches)) expect(pattern, pattern).toMatch(/^\*:\/\/(?:\*\.)?[a-z0-9.-]+\.[a-z]+\/./);
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.?]/g, '\\$&').replace(/\*/g, '.*').replace(/^\.\*:/, 'https?:')}$`);
    for (const url of ['https://news.example.com/', 'http://blog.example.org/post?id=1', 'https://example.org/owa/']) {
      expect(registrations.some((r) => r.matches.some((p) => glob(p).test(url))), url).toBe(false);
    }
    expect(registrations.some((r) => r.js.includes(RECOGNISE_SCRIPT))).toBe(false);
    // A browser refuses an empty `matches`; the built-in services keep it from ever being empty.
    expect(contentScriptsFor({ userSites: [], recognisedHosts: {} })[0]!.matches.length).toBeGreaterThan(0);
  });

  it('registers once, updates when the lists change, and leaves an unchanged registry alone', async () => {
    const { api, registered, calls } = fakeScripting();
    const sync = createContentScriptSync(api);
    expect(await sync(LISTS)).toEqual(['registered watch', 'registered watch-paths']);
    expect(await sync({ ...LISTS })).toEqual([]);
    const added = { ...LISTS, recognisedHosts: { ...LISTS.recognisedHosts, 'sogo.example.org': 'sogo' } };
    expect(await sync(added)).toEqual(['updated watch']);
    expect(registered.get('watch')!.matches).toContain('*://sogo.example.org/*');
    expect(calls).toHaveLength(3);
  });

  it('never registers twice when the lists change twice in a row', async () => {
    const { api, registered } = fakeScripting();
    const sync = createContentScriptSync(api);
    const results = await Promise.all([sync(LISTS), sync({ ...LISTS, userSites: ['other.example.org'] })]);
    expect(results[0]).toEqual(['registered watch', 'registered watch-paths']);
    expect(registered.get('watch')!.matches).toContain('*://other.example.org/*');
  });

  it('removes registrations of an older version it no longer makes (the every-page recogniser included)', async () => {
    const { api, registered } = fakeScripting();
    const old = { js: ['content-scripts/content.js'], matches: ['http://*/*', 'https://*/*'], allFrames: true, matchOriginAsFallback: false, runAt: 'document_start', persistAcrossSessions: true } as const;
    await api.registerContentScripts([{ id: 'content' as 'watch', ...old, js: [...old.js], matches: [...old.matches] }, { id: 'recognise' as 'watch', ...old, js: [...old.js], matches: [...old.matches] }]);
    const sync = createContentScriptSync(api);
    expect(await sync(LISTS)).toEqual(['unregistered content', 'unregistered recognise', 'registered watch', 'registered watch-paths']);
    expect([...registered.keys()].sort()).toEqual(['watch', 'watch-paths']);
  });

  it('keeps going after a failed sync', async () => {
    const { api } = fakeScripting();
    let fail = true;
    const flaky: ScriptingApi = { ...api, getRegisteredContentScripts: () => (fail ? Promise.reject(new Error('worker shutting down')) : api.getRegisteredContentScripts()) };
    const sync = createContentScriptSync(flaky);
    await expect(sync(LISTS)).rejects.toThrow('worker shutting down');
    fail = false;
    expect(await sync(LISTS)).toEqual(['registered watch', 'registered watch-paths']);
  });
});

describe('registered script paths', () => {
  it('are the files WXT builds from real entrypoints', () => {
    // WXT builds entrypoints/<name>.content.ts into content-scripts/<name>.js.
    const entrypointOf = (script: string) => `entrypoints/${script.match(/^content-scripts\/([a-z-]+)\.js$/)?.[1]}.content.ts`;
    for (const script of [WATCH_SCRIPT, RECOGNISE_SCRIPT]) expect(existsSync(resolve(process.cwd(), entrypointOf(script))), script).toBe(true);
  });
});
