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
   * Where the service itself serves its code from, besides the page's own origin: an origin, or
   * an origin with a path prefix (ending in "/") where the same origin also serves code for
   * anyone (JSONP endpoints run whatever callback the caller names). An origin listed only with
   * paths is trusted under those paths alone, and never learned as a whole (lib/detect/scripts.ts).
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
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    id: 'gmail',
    volatileInline: true,
    name: 'Gmail',
    kind: 'mail',
    hosts: ['mail.google.com', 'inbox.google.com'],
    // www.google.com also answers JSONP (search suggestions), so only Gmail's own paths there.
    scriptOrigins: ['https://www.gstatic.com', 'https://ssl.gstatic.com', 'https://apis.google.com', 'https://www.google.com/js/', 'https://www.google.com/recaptcha/'],
    certIssuers: ['Google Trust Services', 'Google Trust Services LLC'],
  },
  {
    id: 'google-chat',
    volatileInline: true,
    name: 'Google Chat',
    kind: 'chat',
    hosts: ['chat.google.com'],
    scriptOrigins: ['https://www.gstatic.com', 'https://ssl.gstatic.com', 'https://apis.google.com'],
    certIssuers: ['Google Trust Services', 'Google Trust Services LLC'],
  },
  {
    id: 'outlook',
    volatileInline: true,
    name: 'Outlook / Hotmail',
    kind: 'mail',
    hosts: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.cloud.microsoft'],
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
    scriptOrigins: ['https://static.whatsapp.net'],
  },
  {
    id: 'telegram',
    volatileInline: true,
    name: 'Telegram Web',
    kind: 'chat',
    hosts: ['web.telegram.org'],
    scriptOrigins: ['https://telegram.org'],
  },
  {
    id: 'element',
    name: 'Element',
    kind: 'chat',
    hosts: ['app.element.io', 'develop.element.io'],
    scriptOrigins: [],
  },
  {
    id: 'messenger',
    volatileInline: true,
    name: 'Messenger',
    kind: 'chat',
    hosts: ['www.messenger.com', 'messenger.com'],
    scriptOrigins: ['https://static.xx.fbcdn.net'],
  },
  {
    id: 'teams',
    volatileInline: true,
    name: 'Microsoft Teams',
    kind: 'chat',
    hosts: ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'],
    scriptOrigins: ['https://statics.teams.cdn.office.net', 'https://res.cdn.office.net'],
    certIssuers: ['Microsoft Corporation', 'DigiCert Inc'],
  },
  {
    id: 'skype',
    volatileInline: true,
    name: 'Skype',
    kind: 'chat',
    hosts: ['web.skype.com'],
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
    scriptOrigins: [],
  },
];

export function matchesHostPattern(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

export function serviceForHost(host: string): ServiceProfile | undefined {
  return SERVICES.find((service) => service.hosts.some((pattern) => matchesHostPattern(host, pattern)));
}
