// Pairing through the daemon's one-time link: the code from the /pair page
// is traded for the token. The page's origin becomes the daemon's address,
// but only a loopback one, and never silently in place of another daemon
// that still answers: another program on this computer could serve a
// /pair page of its own.

export type PairingDeps = {
  /** Whether the daemon at address still takes token. */
  answers: (address: string, token: string) => Promise<boolean>;
  /** Trades the code for the token at address; throws with a message for the user. */
  claim: (address: string, code: string) => Promise<{ token: string }>;
};

export type PairingResult = { ok: true; address: string; token: string; message: string } | { ok: false; message: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function pairByLink(pageURL: string, code: string, current: { address: string; token: string }, deps: PairingDeps): Promise<PairingResult> {
  let page: URL;
  try {
    page = new URL(pageURL);
  } catch {
    return { ok: false, message: 'Redline pairs only with a daemon on this computer.' };
  }
  if (page.protocol !== 'http:' || !LOOPBACK.has(page.hostname) || page.pathname !== '/pair') {
    return { ok: false, message: 'Redline pairs only with a daemon on this computer.' };
  }
  const address = page.origin;
  if (current.token !== '' && address !== current.address && (await deps.answers(current.address, current.token))) {
    return {
      ok: false,
      message: `Redline is already paired with the daemon at ${current.address}. To pair with this one instead, choose “Unpair” in the extension’s options, then open a new link (run \`redline pair\`).`,
    };
  }
  let claimed: { token: string };
  try {
    claimed = await deps.claim(address, code);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : 'Pairing failed.' };
  }
  if (typeof claimed?.token !== 'string' || !/^[0-9a-f]{64}$/.test(claimed.token)) {
    return { ok: false, message: 'The daemon answered with something that is not a Redline token.' };
  }
  return { ok: true, address, token: claimed.token, message: 'Paired: Redline will now keep the articles you read. You can close this tab.' };
}
