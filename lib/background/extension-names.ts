/**
 * Names for `script.by-extension`: which of the user's extensions put code into a mail page. Only
 * with the optional `management` permission, which the user grants from the settings page; without
 * it the evidence keeps the extension's address alone.
 */

/** The parts of `management.ExtensionInfo` that can tie an extension to its script address. */
export interface InstalledExtension {
  id: string;
  name: string;
  enabled?: boolean;
  optionsUrl?: string;
  icons?: ReadonlyArray<{ url: string }>;
}

/**
 * The extension behind an address like `chrome-extension://<id>` or `moz-extension://<uuid>`.
 * Chrome's address holds the extension id. Firefox's holds a per-profile UUID that the management
 * API does not list, but the extension's own URLs (options page, icons) carry it.
 */
export function extensionNameFor(address: string, installed: readonly InstalledExtension[]): string | undefined {
  const match = /^(chrome-extension|moz-extension):\/\/([^/]+)$/.exec(address);
  if (!match) return undefined;
  const [, scheme, host] = match;
  if (scheme === 'chrome-extension') return installed.find((e) => e.id === host)?.name;
  const prefix = `${address}/`;
  return installed.find((e) => e.optionsUrl?.startsWith(prefix) || e.icons?.some((icon) => icon.url.startsWith(prefix)))?.name;
}
