/**
 * Recognition of self-hosted webmail and chat from markers their real installs serve. A page
 * counts only when several independent markers agree, so one borrowed class name or title does
 * not make an ordinary site "messaging".
 */
export interface Recogniser {
  id: string;
  name: string;
  /** CSS selectors; each that matches is one marker. */
  selectors: readonly string[];
  /** Case-insensitive fragments of document.title; one match is one marker. */
  titles: readonly string[];
  minMarkers: number;
}

export const RECOGNISERS: readonly Recogniser[] = [
  {
    id: 'roundcube',
    name: 'Roundcube',
    selectors: [
      'input[name="_task"]',
      'input[name="_token"]',
      '#rcmloginuser',
      '#rcmloginpwd',
      'script[src*="program/js/app"]',
      '#messagelist',
      '#rcmbtn_compose, a.compose[href*="_action=compose"]',
    ],
    titles: ['roundcube webmail'],
    minMarkers: 3,
  },
  {
    id: 'sogo',
    name: 'SOGo',
    selectors: ['script[src*="/SOGo.woa/"]', 'link[href*="/SOGo.woa/"]', 'form[name="loginForm"][action*="SOGo"]', 'sg-login, [sg-login]'],
    titles: ['sogo'],
    minMarkers: 2,
  },
  {
    id: 'snappymail',
    name: 'SnappyMail / RainLoop',
    selectors: ['#rl-app', '#rl-loading', 'script[src*="snappymail/v/"]', 'script[src*="rainloop/v/"]'],
    titles: [],
    minMarkers: 2,
  },
  {
    id: 'zimbra',
    name: 'Zimbra',
    selectors: ['#ZLoginFormPanel', 'form[name="loginForm"][action*="/"] input[name="loginOp"]', 'script[src*="/js/zimbraMail/"]', 'link[href*="/css/common,login,zhtml"]'],
    titles: ['zimbra'],
    minMarkers: 2,
  },
  {
    id: 'horde',
    name: 'Horde',
    selectors: ['#horde-login', 'form[name="horde_login"]', 'script[src*="/horde/js/"]'],
    titles: ['horde'],
    minMarkers: 2,
  },
  {
    id: 'mattermost',
    name: 'Mattermost',
    selectors: ['meta[name="apple-mobile-web-app-title"][content="Mattermost"]', '#root.channel-view, #root', 'script[src*="/static/main."]'],
    titles: ['mattermost'],
    minMarkers: 3,
  },
  {
    id: 'rocketchat',
    name: 'Rocket.Chat',
    selectors: ['meta[name="application-name"][content="Rocket.Chat"]', 'script[src*="/meteor_runtime_config.js"]', '#react-root'],
    titles: ['rocket.chat'],
    minMarkers: 2,
  },
  {
    id: 'jitsi',
    name: 'Jitsi Meet',
    selectors: ['script[src*="libs/app.bundle.min.js"]', 'script[src*="interface_config.js"]', 'script[src*="libs/lib-jitsi-meet.min.js"]'],
    titles: ['jitsi meet'],
    minMarkers: 2,
  },
];

/** The minimal view of a document recognition needs, so it can run over a snapshot in tests. */
export interface RecognisableDocument {
  title: string;
  querySelectorAll(selectors: string): ArrayLike<{ matches(selector: string): boolean }>;
}

/** Every marker selector at once: one pass over the DOM instead of one per selector. */
const ALL_SELECTORS = [...new Set(RECOGNISERS.flatMap((r) => r.selectors))].join(', ');

/**
 * Runs on every page the content script sees, so it costs one selector query: the few elements
 * that match any marker are then sorted out per recogniser.
 */
export function recogniseMessagingPage(doc: RecognisableDocument): Recogniser | undefined {
  const title = String(doc.title ?? '').toLowerCase();
  let candidates: ArrayLike<{ matches(selector: string): boolean }>;
  try {
    candidates = doc.querySelectorAll(ALL_SELECTORS);
  } catch {
    return undefined;
  }
  const present = (selector: string) => {
    try {
      for (let i = 0; i < candidates.length; i++) if (candidates[i]!.matches(selector)) return true;
    } catch {
      // A selector the engine does not support counts as absent.
    }
    return false;
  };
  return RECOGNISERS.find((recogniser) => {
    let markers = recogniser.titles.filter((fragment) => title.includes(fragment)).length;
    for (const selector of recogniser.selectors) {
      if (markers >= recogniser.minMarkers) break;
      if (candidates.length && present(selector)) markers++;
    }
    return markers >= recogniser.minMarkers;
  });
}
