// The one door into the background. Every message from the extension's
// own parts comes through here: who sent it (classifySender) decides which
// messages it may send, each is checked in shape (core/messages.ts), and
// its handler's answer goes back, once the background has loaded its
// state. Strangers and malformed messages get no answer at all.
import {
  type ConfirmMessage,
  type ContentMessage,
  classifySender,
  type PageMessage,
  parseConfirmMessage,
  parseContentMessage,
  parsePageMessage,
  type SenderKind,
} from '../core/messages';
import type { Replies } from '../core/replies';

export type Message = ContentMessage | PageMessage | ConfirmMessage;
export type MessageType = Message['type'];
export type MessageOf<K extends MessageType> = Extract<Message, { type: K }>;
export type MessageSender = chrome.runtime.MessageSender;

/** One handler per message type: it gets that type's message and answers with that type's reply. */
export type Handlers = { [K in MessageType]: (msg: MessageOf<K>, sender: MessageSender) => Promise<Replies[K]> };

/** The slice of runtime the router uses (tests pass their own). */
export type Runtime = {
  id: string;
  getURL(path: string): string;
  onMessage: { addListener(fn: (raw: unknown, sender: MessageSender, reply: (r: unknown) => void) => boolean): void };
};

/**
 * The message raw is, when a sender of this kind may send it: the
 * extension's pages the ui.* messages; the confirmation page only the
 * answers to a pending pairing; content scripts the page.* messages; the
 * pairing request only the /pair page on loopback. Null for anything else.
 */
export function accept(kind: SenderKind, raw: unknown): Message | null {
  switch (kind) {
    case 'extension-page':
      return parsePageMessage(raw);
    case 'confirm-page':
      return parseConfirmMessage(raw);
    case 'pair-page':
      return parseContentMessage(raw);
    case 'content': {
      const msg = parseContentMessage(raw);
      return msg?.type === 'pair.request' ? null : msg;
    }
    case 'stranger':
      return null;
  }
}

function dispatch<K extends MessageType>(handlers: Handlers, msg: MessageOf<K>, sender: MessageSender): Promise<Replies[K]> {
  const handle = handlers[msg.type as K] as (m: MessageOf<K>, s: MessageSender) => Promise<Replies[K]>;
  return handle(msg, sender);
}

/** Answers the messages runtime receives with handlers, each after ready. */
export function handleMessages(runtime: Runtime, ready: Promise<unknown>, handlers: Handlers): void {
  runtime.onMessage.addListener((raw, sender, reply) => {
    const msg = accept(classifySender(sender, runtime.id, runtime.getURL('')), raw);
    if (msg === null) return false; // strangers and malformed messages get nothing
    ready
      .then(() => dispatch(handlers, msg, sender))
      .then(reply, (e: unknown) => reply({ error: e instanceof Error ? e.message : 'Redline failed.' }));
    return true;
  });
}
