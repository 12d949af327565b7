/**
 * Built-in messaging services. Host patterns are exact names or `*.domain` for any subdomain;
 * listing mail hosts rather than whole company domains keeps the rest of a user's browsing
 * (search, video, documents) out of tapguard entirely.
 */
export interface ServiceProfile {
  id: string;
  name: string;
  kind: 'mail' | 'chat';
  hosts: readonly string[];
  /**
   * Set only for a service that shares its hosts with the rest of a site (Messenger inside
   * www.facebook.com): the path prefixes that are the service. Everything else on those hosts is
   * not, and gets neither the watch script nor any check.
   */
  paths?: readonly string[];
  /**
   * Where the service itself serves its code from, besides the page's own origin: an origin, or
   * an origin with a path prefix (ending in "/") where the same origin also serves code for
   * anyone (JSONP endpoints run whatever callback the caller names). An origin listed only with
   * paths is trusted under those paths alone, and never learned as a whole (lib/core/detect/scripts.ts).
   */
  scriptOrigins: readonly string[];
  /**
   * Organisations (the O= of the leaf's issuer) whose public CAs issue this service's certificates.
   * A chain to a built-in root under one of them is the service's own, even before the baseline
   * has seen it; under a private root the same name proves nothing (interceptors copy names).
   */
  certIssuers?: readonly string[];
  /** The service generates inline scripts per load (tokens, state), so new inline code means nothing. */
  volatileInline?: boolean;
  /**
   * Hosts other than the page's that carry the service's messages (API, sockets, media), known
   * from the service's own clients. They are in scope from their first request, even when the
   * browser does not say which tab opened it (service workers); any other host is in scope only
   * through the tab whose page opened it (lib/background/session-scope.ts). Never given content scripts.
   */
  messageHosts?: readonly string[];
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    id: 'gmail',
    volatileInline: true,
    name: 'Gmail',
    kind: 'mail',
    hosts: ['mail.google.com', 'inbox.google.com'],
    messageHosts: ['mail-attachment.googleusercontent.com', 'signaler-pa.clients6.google.com', 'people-pa.clients6.google.com', 'peoplestack-pa.clients6.google.com'],
    // www.google.com also answers JSONP (search suggestions), so only Gmail's own paths there.
    scriptOrigins: ['https://www.gstatic.com', 'https://ssl.gstatic.com', 'https://apis.google.com', 'https://www.google.com/js/', 'https://www.google.com/recaptcha/'],
    certIssuers: ['Google Trust Services', 'Google Trust Services LLC'],
  },
  {
    // Took over calls from Hangouts (whose chat went to Google Chat, below).
    id: 'google-meet',
    volatileInline: true,
    name: 'Google Meet',
    kind: 'chat',
    hosts: ['meet.google.com'],
    scriptOrigins: ['https://www.gstatic.com', 'https://ssl.gstatic.com', 'https://apis.google.com'],
    certIssuers: ['Google Trust Services', 'Google Trust Services LLC'],
  },
  {
    id: 'google-chat',
    volatileInline: true,
    name: 'Google Chat',
    kind: 'chat',
    hosts: ['chat.google.com'],
    messageHosts: ['signaler-pa.clients6.google.com', 'chat-pa.clients6.google.com'],
    scriptOrigins: ['https://www.gstatic.com', 'https://ssl.gstatic.com', 'https://apis.google.com'],
    certIssuers: ['Google Trust Services', 'Google Trust Services LLC'],
  },
  {
    id: 'outlook',
    volatileInline: true,
    name: 'Outlook / Hotmail',
    kind: 'mail',
    hosts: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.cloud.microsoft'],
    messageHosts: ['substrate.office.com', 'graph.microsoft.com', 'attachments.office.net'],
    scriptOrigins: ['https://res.cdn.office.net', 'https://r4.res.office365.com', 'https://res-1.cdn.office.net', 'https://res.public.onecdn.static.microsoft'],
    certIssuers: ['Microsoft Corporation', 'DigiCert Inc'],
  },
  {
    id: 'yahoo-mail',
    volatileInline: true,
    name: 'Yahoo Mail',
    kind: 'mail',
    hosts: ['mail.yahoo.com', '*.mail.yahoo.com'],
    scriptOrigins: ['https://s.yimg.com'],
  },
  {
    id: 'proton-mail',
    name: 'Proton Mail',
    kind: 'mail',
    hosts: ['mail.proton.me', 'mail.protonmail.com', 'account.proton.me'],
    scriptOrigins: [],
  },
  {
    id: 'tuta',
    name: 'Tuta',
    kind: 'mail',
    hosts: ['app.tuta.com', 'mail.tutanota.com', 'app.tutanota.com'],
    scriptOrigins: [],
  },
  {
    id: 'zoho-mail',
    volatileInline: true,
    name: 'Zoho Mail',
    kind: 'mail',
    hosts: ['mail.zoho.com', 'mail.zoho.eu', 'mail.zoho.in', 'mail.zoho.com.au', 'mail.zoho.jp'],
    scriptOrigins: ['https://static.zohocdn.com', 'https://js.zohocdn.com', 'https://css.zohocdn.com'],
  },
  {
    id: 'gmx-webde',
    volatileInline: true,
    name: 'GMX / WEB.DE',
    kind: 'mail',
    hosts: ['navigator.gmx.net', 'navigator-bs.gmx.net', 'navigator.gmx.com', 'bap.navigator.gmx.net', 'navigator.web.de', 'bap.navigator.web.de', 'mail.gmx.com', 'www.gmx.net', 'web.de'],
    scriptOrigins: ['https://js.ui-portal.de', 'https://img.ui-portal.de', 'https://s.uicdn.com'],
  },
  {
    id: 'whatsapp',
    volatileInline: true,
    name: 'WhatsApp Web',
    kind: 'chat',
    hosts: ['web.whatsapp.com'],
    messageHosts: ['mmg.whatsapp.net', '*.cdn.whatsapp.net'],
    scriptOrigins: ['https://static.whatsapp.net'],
  },
  {
    id: 'telegram',
    volatileInline: true,
    name: 'Telegram Web',
    kind: 'chat',
    hosts: ['web.telegram.org'],
    messageHosts: ['*.web.telegram.org'],
    scriptOrigins: ['https://telegram.org'],
  },
  {
    id: 'element',
    name: 'Element',
    kind: 'chat',
    hosts: ['app.element.io', 'develop.element.io'],
    messageHosts: ['matrix-client.matrix.org', 'matrix.org'],
    scriptOrigins: [],
  },
  {
    id: 'messenger',
    volatileInline: true,
    name: 'Messenger',
    kind: 'chat',
    hosts: ['www.messenger.com', 'messenger.com'],
    messageHosts: ['edge-chat.messenger.com', 'gateway.messenger.com'],
    scriptOrigins: ['https://static.xx.fbcdn.net'],
  },
  {
    // Meta folds Messenger into Facebook: messenger.com now sends people to facebook.com/messages.
    id: 'messenger-facebook',
    volatileInline: true,
    name: 'Messenger',
    kind: 'chat',
    hosts: ['www.facebook.com'],
    paths: ['/messages'],
    scriptOrigins: ['https://static.xx.fbcdn.net'],
  },
  {
    id: 'teams',
    volatileInline: true,
    name: 'Microsoft Teams',
    kind: 'chat',
    hosts: ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'],
    messageHosts: ['*.teams.microsoft.com', '*.trouter.skype.com', 'api.spaces.skype.com', 'graph.microsoft.com'],
    scriptOrigins: ['https://statics.teams.cdn.office.net', 'https://res.cdn.office.net'],
    certIssuers: ['Microsoft Corporation', 'DigiCert Inc'],
  },
  {
    id: 'skype',
    volatileInline: true,
    name: 'Skype',
    kind: 'chat',
    hosts: ['web.skype.com'],
    messageHosts: ['*.trouter.skype.com', 'api.asm.skype.com'],
    scriptOrigins: ['https://secure.skypeassets.com'],
  },
  {
    id: 'slack',
    volatileInline: true,
    name: 'Slack',
    kind: 'chat',
    hosts: ['app.slack.com', '*.slack.com'],
    scriptOrigins: ['https://a.slack-edge.com', 'https://slack.global.ssl.fastly.net'],
  },
  {
    id: 'discord',
    volatileInline: true,
    name: 'Discord',
    kind: 'chat',
    hosts: ['discord.com', 'ptb.discord.com', 'canary.discord.com'],
    messageHosts: ['gateway.discord.gg', 'cdn.discordapp.com', 'media.discordapp.net'],
    scriptOrigins: [],
  },
];

export function matchesHostPattern(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** What a user reads as the service's address: its hosts, with their paths where it owns only those. */
export function serviceAddresses({ hosts, paths }: ServiceProfile): string[] {
  return paths ? hosts.flatMap((host) => paths.map((path) => `${host}${path}`)) : [...hosts];
}

/**
 * True when `path` is `prefix` itself or lies below it: `/messages`, `/messages/t/1`, not
 * `/messagesX`. Case-sensitive, as the match patterns that inject the watch script are.
 */
export function pathIsUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The service a host belongs to as a whole. A service that owns only some paths of its host
 * (`paths`) is never returned here: without the path, the page may be any other part of the site.
 */
export function serviceForHost(host: string): ServiceProfile | undefined {
  return SERVICES.find((service) => !service.paths && service.hosts.some((pattern) => matchesHostPattern(host, pattern)));
}

/** The service a page belongs to, from its host and URL path (`pathname`, no query). */
export function serviceForPage(host: string, path: string): ServiceProfile | undefined {
  return (
    serviceForHost(host) ??
    SERVICES.find(
      (service) =>
        service.paths?.some((prefix) => pathIsUnder(path, prefix)) && service.hosts.some((pattern) => matchesHostPattern(host, pattern)),
    )
  );
}

/** The service whose messages travel through `host` (its API, socket or media host), if known. */
export function serviceForMessageHost(host: string): ServiceProfile | undefined {
  return SERVICES.find((service) => service.messageHosts?.some((pattern) => matchesHostPattern(host, pattern)));
}
