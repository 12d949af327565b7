import { hostOf, originOf } from '../core/url';

/** What the browser says about where a content-script message came from. */
export interface MessageOrigin {
  url?: string;
  /** The sender document's origin (Chrome; recent Firefox). */
  origin?: string;
  tab?: { url?: string };
}

/**
 * The page URL a content-script message may be recorded under, or undefined when the browser's
 * word contradicts the message's claim. A document with a URL of its own is recorded under that
 * (the browser's, never the message's). A srcdoc or about:blank frame has none: it speaks for the
 * document that made it, so its claim (its base URL) is accepted when it has the origin the
 * browser gives for the frame, or, where the browser gives none, the host of the tab's page.
 */
export function pageUrlOfSender(sender: MessageOrigin, claimedUrl: string): string | undefined {
  if (!sender.url) return undefined;
  if (!/^about:/i.test(sender.url)) return hostOf(claimedUrl) === hostOf(sender.url) ? sender.url : undefined;
  if (sender.origin && sender.origin !== 'null') return originOf(claimedUrl) === sender.origin ? claimedUrl : undefined;
  return sender.tab?.url && hostOf(claimedUrl) === hostOf(sender.tab.url) ? claimedUrl : undefined;
}
