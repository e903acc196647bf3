// How the extension's pages (the popup, the options, the confirmation
// page) ask the background: one typed call, whose answer has the type the
// background's router holds the handler to (core/replies.ts).
import { ext } from './browser';
import type { ConfirmMessage, PageMessage } from './messages';
import type { Replies } from './replies';

/** Sends msg to the background and returns its answer. */
export function ask<M extends PageMessage | ConfirmMessage>(msg: M): Promise<Replies[M['type']]> {
  return ext.runtime.sendMessage(msg) as Promise<Replies[M['type']]>;
}
