// What the background answers to each message of core/messages.ts, by
// message type. The background's router (background/router.ts) holds
// every handler to these types; a handler that throws is answered
// { error } instead.
import type { Change } from '../background/changes';
import type { StreamState } from '../background/events';
import type { RecheckSettings, Watch } from './daemon';
import type { CaptureAnswer, DiffAnswer, HelloAnswer } from './messages';
import type { AlertOn } from './alerts';
import type { Settings, SiteRules } from './settings';

/** The captures waiting, as the popup, the options and the confirmation page show them (waiting: for the daemon paired now). */
export type QueueView = { waiting: number; dropped: number; unpaired: number; unpairedThrough: number; elsewhere: { daemon: string; count: number }[] };

/** An answer in words for the user: what was done, or why not. */
export type Said = { message: string } | { error: string };

/** An answer that is empty when it went well. */
export type Done = { error?: string };

export type UIState = { settings: Settings; paired: boolean; connection: StreamState; queue: QueueView; changes: Change[] };

/** The site lists: the daemon's, or the copy when it is away (fromDaemon false). */
export type SitesAnswer = { sites: SiteRules; fromDaemon: boolean; moving: boolean; error?: string };

/** The alert policy: the daemon's, or the one last learned when it is away (fromDaemon false). */
export type AlertsAnswer = { alertOn: AlertOn; fromDaemon: boolean; error?: string };

export type ConfirmState = { pending: { id: string; address: string; expires: number } | null; paired: string | null; queue: QueueView };

/** ok: null while the user has yet to confirm in the extension's page. */
export type PairAnswer = { ok: boolean | null; message: string };

export type Replies = {
  // content scripts
  'page.hello': HelloAnswer;
  'page.read': CaptureAnswer;
  'page.diff': DiffAnswer;
  'page.dismiss': Done;
  'page.dashboard': Done;
  'pair.request': PairAnswer;
  // the confirmation page
  'confirm.state': ConfirmState;
  'confirm.pair': PairAnswer;
  'confirm.cancel': PairAnswer;
  // the popup and the options page
  'ui.state': UIState;
  'ui.settings': { settings: Settings } | { error: string };
  'ui.token': Done;
  'ui.queue.discard': { discarded: number };
  'ui.unpair': Done;
  'ui.sites': SitesAnswer;
  'ui.sites.save': { sites: SiteRules } | { error: string };
  'ui.alerts': AlertsAnswer;
  'ui.alerts.save': { alertOn: AlertOn } | { error: string };
  'ui.recheck': { recheck: RecheckSettings } | { error: string };
  'ui.recheck.save': { recheck: RecheckSettings } | { error: string };
  'ui.track': Said;
  'ui.watch': { watch: Watch | null } | { error: string };
  'ui.forget': Said;
  'ui.diff': DiffAnswer;
  'ui.seen': Done;
  'ui.dashboard': Done;
};
