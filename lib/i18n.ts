/**
 * Every string of the popup, the incident log and the options page. A translation is one more dictionary in
 * `DICTIONARIES` with the same keys (missing keys fall back to English); no component changes.
 * Rule titles and advice live in rules.ts, stored with each incident.
 */
const en = {
  // Incident log page
  'log.title': 'tapguard: incident log',
  'log.heading': 'Incident log',
  'log.intro': 'Everything tapguard has recorded on mail and chat pages in this browser. The log is hash-chained: each record holds the fingerprint of the one before, so an exported file shows whether anything was changed.',
  'log.loading': 'Reading the log…',
  'log.error': 'Could not read the incident log: {error}',
  'log.settingsLink': 'Settings',
  'log.empty': 'No incidents recorded. tapguard has not seen anything suspicious on the mail and chat pages you opened.',
  'log.noMatch': 'No incidents match these filters.',
  'log.count': '{count} incidents in the log',
  'log.count.one': '1 incident in the log',

  'actions.heading': 'Export and check',
  'actions.exportJsonl': 'Export JSONL (evidence file)',
  'actions.exportCsv': 'Export CSV (spreadsheet)',
  'actions.verify': 'Verify a file…',
  'actions.clear': 'Clear log…',
  'actions.exporting': 'Exporting…',
  'actions.exported': 'Exported {count} records to {file}.',
  'actions.downloadAgain': 'Download {file} again',
  'actions.exportFailed': 'The export failed: {error}',
  'actions.verifying': 'Checking {file}…',
  'actions.exportHint': 'The JSONL file is the evidence: it holds every record with its hashes and can be verified. Neither file holds page content, cookies or message text.',

  'verify.ok': '{file}: chain intact, {count} records.',
  'verify.okPruned': 'It starts after older records that are not in the file (removed by retention or by clearing the log).',
  'verify.broken': '{file}: BROKEN at line {line}: {reason}',
  'verify.reason.bad-json': 'the line is not valid JSON.',
  'verify.reason.missing-field': 'a field is missing or has the wrong type ({detail}).',
  'verify.reason.prev-hash-mismatch': 'it does not link to the record before it: a record was removed, added or reordered.',
  'verify.reason.hash-mismatch': 'its content does not match its hash: the record was changed.',
  'verify.reason.id-order': 'the record ids are out of order.',
  'verify.reason.bad-header': 'the first line is not a header this version understands ({detail}).',
  'verify.reason.header-mismatch': 'the file does not match its header ({detail}).',
  'verify.reason.unreadable': 'the file could not be read ({detail}).',
  'verify.exportedBy': 'Exported by tapguard {version} in {browser} on {date}.',

  'clear.heading': 'Clear the incident log?',
  'clear.body': 'This deletes all {count} records. It cannot be undone. If you may need them as evidence, export the JSONL file first. The new log starts with a record saying that it was cleared, and what tapguard learned about each site is kept.',
  'clear.confirm': 'Delete all records',
  'clear.cancel': 'Cancel',
  'clear.done': 'The log was cleared ({count} records deleted).',
  'clear.failed': 'Clearing failed: {error}',

  'filters.heading': 'Filters',
  'filters.host': 'Site',
  'filters.kind': 'Kind',
  'filters.rule': 'Rule',
  'filters.severity': 'Severity',
  'filters.from': 'From',
  'filters.to': 'To',
  'filters.text': 'Search',
  'filters.textPlaceholder': 'title, site or rule',
  'filters.any': 'All',
  'filters.atLeast': '{severity} or worse',
  'filters.reset': 'Reset filters',

  'kind.tls-downgrade': 'Encryption downgrade',
  'kind.cert-anomaly': 'Certificate anomaly',
  'kind.script-injection': 'Script injection',
  'kind.meta': 'Log note',
  'kind.event': 'Event',

  'severity.info': 'Info',
  'severity.low': 'Low',
  'severity.medium': 'Medium',
  'severity.high': 'High',
  'severity.critical': 'Critical',

  'timeline.heading': 'Incidents per day',
  'timeline.headingBucket': 'Incidents per {days} days',
  'timeline.summary': '{total} incidents from {from} to {to}.',
  'timeline.bar': '{date}: {count} incidents',

  'list.heading': 'Incidents',
  'list.showing': 'Showing {from}–{to} of {total}',
  'list.newer': '← Newer',
  'list.older': 'Older →',
  'list.details': 'Details',
  'list.hideDetails': 'Hide details',
  'list.url': 'Address',
  'list.browser': 'Browser',
  'list.time': 'Time',
  'list.repeats': 'Seen',
  'list.repeatsValue': '{count} times, last on {last}',
  'list.repeatsOnce': 'once',
  'list.advice': 'What to do',
  'list.evidence': 'Evidence',
  'list.hash': 'Hash',
  'list.prevHash': 'Previous hash',
  'list.rule': 'Rule',
  'list.signs': 'Signs of this event',
  'list.signGone': '{key} (no longer in the log)',

  // Options page
  'options.title': 'tapguard: settings',
  'options.heading': 'tapguard settings',
  'options.logLink': 'Open the incident log',
  'options.saved': 'Saved.',
  'options.saveFailed': 'Could not save: {error}',
  'options.locked': 'Set by your administrator',
  'options.lockedNote': 'Your organisation manages some of these settings; they are shown but cannot be changed here.',

  'sites.heading': 'Monitored sites',
  'sites.intro': 'tapguard only looks at mail and chat pages. Nothing about any other page is stored.',
  'sites.builtin': 'Built-in services',
  'sites.builtinSummary': 'Show the {count} built-in services and their hosts',
  'sites.user': 'Sites you added',
  'sites.userEmpty': 'You have not added any site.',
  'sites.add': 'Add a site',
  'sites.addLabel': 'Host name of a mail or chat site (e.g. mail.example.org or *.example.org)',
  'sites.addButton': 'Add',
  'sites.invalid': '"{input}" is not a host name. Enter a name like mail.example.org, or *.example.org for all its subdomains; no path, port or spaces.',
  'sites.duplicate': '{host} is already in the list.',
  'sites.remove': 'Remove {host}',
  'sites.recognised': 'Self-hosted mail and chat tapguard recognised',
  'sites.recognisedEmpty': 'None yet: tapguard recognises Roundcube, SOGo, Zimbra, Mattermost and similar apps when you open them.',
  'sites.recognisedAs': 'recognised as {app}',

  'roots.heading': 'Trusted private roots',
  'roots.warning': 'Only add a root certificate here if your organisation told you to, for a site it runs itself, and you checked the fingerprint with them over another channel. A root trusted here stops tapguard from warning about that certificate on that site: an interceptor\u2019s root added by mistake hides exactly the attack tapguard exists to show.',
  'roots.empty': 'No private roots are trusted.',
  'roots.host': 'Site (host name)',
  'roots.fingerprint': 'SHA-256 fingerprint of the root certificate',
  'roots.add': 'Trust this root for this site',
  'roots.invalidHost': '"{input}" is not a host name, e.g. mail.example.org.',
  'roots.invalidFingerprint': 'That is not a SHA-256 fingerprint: it must be 64 hexadecimal digits (colons and spaces are ignored).',
  'roots.remove': 'Stop trusting {fingerprint} for {host}',
  'roots.chromeNote': 'Chrome does not show certificates to extensions, so these roots matter in Firefox only.',

  'retention.heading': 'Keeping the log',
  'retention.days': 'Keep incidents for (days)',
  'retention.max': 'Keep at most (incidents)',
  'retention.note': 'Older records are deleted from the start of the log, so the rest still verifies. An export keeps them for good.',
  'retention.invalidDays': 'Enter a whole number of days from 1 to 3650.',
  'retention.invalidMax': 'Enter a whole number from 1000 to 1000000.',
  'retention.save': 'Save',
  'retention.confirm': 'With these limits, the {count} oldest records are deleted now. If you may need them as evidence, export the log first.',
  'retention.confirmButton': 'Delete them and save',
  'retention.saved': 'Saved. {count} old records were deleted.',

  'deep.heading': 'Deep inspection (Chrome)',
  'deep.label': 'Check the certificates of mail and chat tabs through Chrome\u2019s debugger',
  'deep.explain': 'Chrome does not show certificates to extensions. With this on, tapguard asks for the \u201cdebugger\u201d permission and attaches only to tabs that show mail or chat, to read their certificates. While it is attached, Chrome shows a banner saying tapguard started debugging this browser: that is expected. Cancelling the banner turns it off for that tab.',
  'deep.denied': 'Chrome did not grant the debugger permission, so deep inspection stays off.',
  'deep.missing': 'Deep inspection is on, but Chrome no longer grants the debugger permission: switch it off and on again.',

  // Popup
  'popup.heading': 'tapguard',
  'popup.readError': 'Could not read the incident log: {error}',
  'popup.seenHere': 'Seen on this page',
  'popup.expectedSummary': '{count} marked as expected on this page',
  'popup.expectedLabel': 'Marked as expected',
  'popup.earlierSummary': '{count} earlier incidents on {host}',
  'popup.earlierSummary.one': '1 earlier incident on {host}',
  'popup.earlierLabel': 'Earlier on {host}',
  'popup.total': '{count} incidents recorded in all.',
  'popup.total.one': '1 incident recorded in all.',
  'popup.openLog': 'Open the full log',
  'popup.settings': 'Settings',
  'popup.evidence': 'Evidence',
  'popup.markExpected': 'Mark as expected',
  'popup.trustRoot': 'Trust this root for {host}…',
  'popup.trustWarning': 'Only trust this root if you know who runs it: your own organisation’s mail server with its own certificate authority, for example. If you are not sure, do not trust it: a root like this is exactly how interception works. Trust it for this host?',
  'popup.trustYes': 'Yes, trust it for {host}',
  'popup.cancel': 'Cancel',
  'popup.notChecked': ': not checked in this browser.',

  'popup.eventsLabel': 'What happened on this page',
  'popup.whatWeSaw': 'What we saw',
  'popup.covers': 'Covers the {count} signs above: they stay in the log but no longer raise the alarm on this page.',
  'popup.covers.one': 'Covers the sign above: it stays in the log but no longer raises the alarm on this page.',

  // Events (lib/events.ts): one headline and one piece of advice per cause.
  'event.who.state': 'a state authority: {product}',
  'event.who.corporate': 'a corporate proxy: {product}',
  'event.who.antivirus': 'an antivirus program: {product}',
  'event.who.parental': 'a parental-control program: {product}',
  'event.who.adware': 'adware: {product}',
  'event.who.debugging': '{product}, a TLS-inspection tool',
  'event.interception.known': 'Your connection to {host} is being intercepted by {who}.',
  'event.interception.unknown': 'Your connection to {host} is probably being intercepted. Who is doing it is unknown.',
  'event.interception.weak': 'The certificate of {host} is unusual and may come from an interceptor. Who would be behind it is unknown.',
  'event.injection.origin': 'Code from {origin} was injected into {host}.',
  'event.injection.frame': 'A hidden frame from {origin} was added to {host}.',
  'event.injection.blocked': '{host} refused to load content from {origin}: something may have tried to add it.',
  'event.injection.code': 'New or changed code appeared on {host}; it may have been injected on the way.',
  'event.injection.csp': 'The protection of {host} against injected code was weakened.',
  'event.downgrade.stripped': 'The encryption of {host} was stripped: what you send can be read on the network.',
  'event.downgrade.weak': 'Your connection to {host} is less protected than it should be.',
  'event.extension': 'One of your browser extensions adds code to {host}.',
  'event.extension.named': '{name}, one of your browser extensions, adds code to {host}.',
  'event.advice.stop': 'Stop: do not log in or send anything on this network. Switch to a connection you trust (mobile data, a trusted VPN) and check again.',
  'event.advice.state': 'A state authority can read everything on this page. Do not log in or send anything here; use a trusted VPN or Tor from a device you trust.',
  'event.advice.corporate': 'Whoever runs this proxy can read everything on this page. On a work device that may be your employer; anywhere else, stop and switch to a connection you trust.',
  'event.advice.antivirus': 'Your antivirus opens this encrypted page to scan it. If you did not install it, treat it as interception and use a device you trust.',
  'event.advice.parental': 'A filtering program opens this encrypted page. If you did not install it, someone else controls this device: use one you trust.',
  'event.advice.adware': 'Software on this device opens encrypted pages, and others can abuse it. Remove it; until then, send nothing sensitive here.',
  'event.advice.debugging': 'Unless you run {product} yourself, stop: do not log in or send anything here, and switch to a connection and device you trust.',
  'event.advice.weakCert': 'Avoid sensitive actions here until it looks normal again; if it stays, check on another network.',
  'event.advice.injection': 'Do not type anything sensitive here: injected code can read what you write. Reload the page on a connection you trust and check again.',
  'event.advice.frame': 'An invisible frame from another site can track you or show you a fake form. Avoid sensitive actions here until you know where it came from.',
  'event.advice.blocked': 'The attempt failed, but someone tried to add code to this page. Be careful on this network.',
  'event.advice.extension': 'This comes from an extension you installed, not from the network. Make sure you trust it: extensions can read your mail.',

  'verdict.notMonitored': '{host} is not a mail or chat page tapguard watches.',
  'verdict.thisPage': 'This page',
  'verdict.clear': 'Nothing suspicious seen on {host}.',
  'verdict.warning': 'Warning: something unusual was seen on {host}.',
  'verdict.danger': 'Danger: your connection to {host} is probably being intercepted or tampered with.',

  'capability.http': 'Unencrypted (http) pages, redirects, forms and sockets',
  'capability.scripts': 'Scripts, inline code, frames and CSP changes',
  'capability.scriptBytes': 'Changed bytes of a script under the same address',
  'capability.scriptBytes.chrome': 'Chrome does not let extensions read responses.',
  'capability.certErrors': 'Certificate errors',
  'capability.chain': 'Certificate chain and root',
  'capability.chain.deepOn': 'Checked through deep inspection (Chrome shows a debugging banner meanwhile). Chrome does not say whether a root is built in, so only changes and known interceptors are judged.',
  'capability.chain.deepFailed': 'Deep inspection could not attach to this tab ({reason}; is DevTools open?), so certificates were not checked.',
  'capability.chain.deepDetached': 'Deep inspection was stopped on this tab ({reason}), so certificates were not checked.',
  'capability.chain.chrome': 'Chrome does not show certificates to extensions. Turn on deep inspection in the options to check them.',
  'capability.tls': 'TLS version and cipher',
  'capability.tls.chrome': 'Needs deep inspection in Chrome.',

  'notifications.heading': 'Notifications',
  'notifications.label': 'Show a system notification when tapguard records a critical incident (asks for the notifications permission)',
  'notifications.denied': 'The browser did not grant the notifications permission, so notifications stay off.',
  'extensionNames.heading': 'Your extensions on mail pages',
  'extensionNames.label':
    'Name the extensions that add code to mail and chat pages (asks for the management permission, which lets tapguard read the list of your extensions; nothing else)',
  'extensionNames.denied': 'The browser did not grant the management permission, so extensions are shown by their address only.',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const DICTIONARIES: Record<string, Partial<Messages>> = { en };

function pickDictionary(): Partial<Messages> {
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of languages) {
    const found = DICTIONARIES[tag] ?? DICTIONARIES[tag.split('-')[0] ?? ''];
    if (found) return found;
  }
  return en;
}

const active = pickDictionary();

/** The message for `key` with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = active[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
