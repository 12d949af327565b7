import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { RECOGNITION_PAGES, recognitionPage } from '../../lab/recognition-pages';
import { groupSelectorsByTag, RECOGNISERS, recogniseMessagingPage, splitSelectorList, type RecognisableDocument } from '@/lib/core/sites/recognise';

function parse(html: string): Document {
  const window = new Window({ url: 'https://apps.example.org/' });
  window.document.write(html);
  return window.document as unknown as Document;
}

const products = Object.entries(RECOGNITION_PAGES);

describe('recognising self-hosted mail and chat from their real markers', () => {
  it('has pages for every product the issue names, each with a real page and two look-alikes', () => {
    expect(Object.keys(RECOGNITION_PAGES).sort()).toEqual(['element-web', 'grommunio', 'mumble-web', 'nextcloud-mail', 'nextcloud-talk', 'owa', 'ox-appsuite', 'zulip']);
    for (const [id, pages] of products) {
      expect(RECOGNISERS.some((r) => r.id === id), id).toBe(true);
      expect(Object.keys(pages.real).length, id).toBeGreaterThanOrEqual(1);
      expect(Object.keys(pages.lookalikes).length, id).toBeGreaterThanOrEqual(2);
    }
  });

  describe.each(products)('%s', (id, pages) => {
    it.each(Object.entries(pages.real))('recognises its %s page', (_name, html) => {
      expect(recogniseMessagingPage(parse(html))?.id).toBe(id);
    });
    it.each(Object.entries(pages.lookalikes))('does not recognise the look-alike "%s"', (_name, html) => {
      expect(recogniseMessagingPage(parse(html))?.id).toBeUndefined();
    });
  });

  it('never takes the name for the product: a title that names it twice is still one marker', () => {
    const title = '<title>Migrating from Kopano WebApp to grommunio</title>';
    const page = (extra: string) => parse(`<!DOCTYPE html><html><head>${title}${extra}</head><body></body></html>`);
    expect(recogniseMessagingPage(page(''))).toBeUndefined();
    expect(recogniseMessagingPage(page('<meta name="author" content="Kopano.io">'))).toBeUndefined();
    expect(recogniseMessagingPage(page('<meta name="author" content="Kopano.io"><link rel="stylesheet" href="client/resources/css/external/login.css">'))?.id).toBe('grommunio');
  });

  it('still costs one selector query per page, however many products it knows', () => {
    let queries = 0;
    const ordinary: RecognisableDocument = {
      title: 'News',
      querySelectorAll: () => {
        queries++;
        return [];
      },
    };
    expect(recogniseMessagingPage(ordinary)).toBeUndefined();
    expect(queries).toBe(1);
  });

  it('queries all markers grouped by tag, finding exactly the elements the plain list finds', () => {
    const selectors = RECOGNISERS.flatMap((r) => r.selectors);
    const grouped = groupSelectorsByTag(selectors);
    const flat = [...new Set(selectors)].join(', ');
    expect(splitSelectorList(grouped).length).toBeLessThan(new Set(selectors.flatMap(splitSelectorList)).size / 2);
    const pages = products.flatMap(([, pages]) => [...Object.values(pages.real), ...Object.values(pages.lookalikes)]);
    for (const html of pages) {
      const document = parse(html);
      expect([...document.querySelectorAll(grouped)]).toEqual([...document.querySelectorAll(flat)]);
    }
  });

  it('splits selector lists only at their own commas', () => {
    expect(splitSelectorList('a, link[href*="/css/common,login,zhtml"], :is(b, c) , [x=\'1,2\']')).toEqual(['a', 'link[href*="/css/common,login,zhtml"]', ':is(b, c)', "[x='1,2']"]);
    expect(groupSelectorsByTag(['script[src*="a,b"]', 'script[src$=".js"]', '#x .y', 'sg-login, [sg-login]'])).toBe('script:is([src*="a,b"], [src$=".js"]), :is(sg-login, [sg-login]), #x .y');
  });

  it('serves each page by name in the lab, and nothing else', () => {
    expect(recognitionPage('zulip', 'login')).toBe(RECOGNITION_PAGES.zulip!.real.login);
    expect(recognitionPage('zulip', 'lookalike-blog')).toBe(RECOGNITION_PAGES.zulip!.lookalikes.blog);
    for (const [id, page] of [['zulip', 'nope'], ['nope', 'login'], ['__proto__', 'login'], ['zulip', 'lookalike-__proto__'], ['zulip', 'constructor']]) {
      expect(recognitionPage(id!, page!), `${id}/${page}`).toBeUndefined();
    }
  });
});
