// Builds the extension for Chrome and Firefox:
//   extension/dist/chrome   load with chrome://extensions → Load unpacked
//   extension/dist/firefox  load with about:debugging → Load Temporary Add-on (manifest.json)
//   extension/dist/redline-firefox.xpi  the same, packed: about:addons → Install Add-on From File
//                           (kept across restarts; needs unsigned add-ons allowed, see README.md)
// With --store DIR --version V (as `make dist` runs it) it also writes the
// zips to upload to each browser's add-on store:
//   DIR/redline-extension_V_chrome.zip   the Chrome build without its `key`,
//                                        which the store refuses on upload
//   DIR/redline-extension_V_firefox.zip  the Firefox build, as the .xpi
// One esbuild pass bundles each entry point; the manifest differs only in
// how the background runs (a service worker in Chrome, an event page in
// Firefox) and in each browser's own keys.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// manifest.chrome.json holds the public half of the key that fixes the
// Chrome extension id: sha256 of the DER key, first 32 hex digits mapped
// 0-f → a-p. The private half was never kept: a store signs published
// builds with its own. The build checks that the key gives this id.
export const CHROME_ID = 'pefbhbjklgdhmmiknnjkgangfknghlip';

const entries = {
  background: 'background/index.ts',
  content: 'content/index.ts',
  pair: 'content/pair.ts',
  popup: 'popup/index.ts',
  options: 'options/index.ts',
  'confirm-pair': 'confirm/index.ts',
  offscreen: 'offscreen/index.ts',
};

// tldts (the public suffix list, ~100 KB) does not declare itself free of
// side effects, so bundles would keep it even where nothing calls it. The
// content script, loaded into every page, needs only the text rules.
export const tldtsIsPure = {
  name: 'tldts-is-pure',
  setup(b) {
    b.onResolve({ filter: /^tldts(-core)?$/ }, async (args) => {
      if (args.pluginData === 'tldts-is-pure') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'tldts-is-pure' });
      return { ...r, sideEffects: false };
    });
  },
};

// The shared manifest plus each browser's own keys: how the background
// runs (a service worker in Chrome, an event page in Firefox), Chrome's key
// and minimum version, Firefox's id. Firefox's data_collection_permissions
// declares what the extension sends out of itself: the addresses of the
// pages the user reads (browsingActivity) and their text (websiteContent),
// to the user's own daemon on this computer.
function manifestFor(browser) {
  const read = (name) => JSON.parse(readFileSync(join(root, name), 'utf8'));
  const shared = read('manifest.json');
  const own = read(`manifest.${browser}.json`);
  // A browser's own permissions join the shared ones.
  const permissions = [...(shared.permissions ?? []), ...(own.permissions ?? [])];
  return { ...shared, ...own, permissions };
}

/** The Chrome extension id a manifest key gives. */
export function chromeID(key) {
  const hex = createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((h) => String.fromCharCode(97 + parseInt(h, 16))).join('');
}

// A square icon: a red page with white lines, the second struck through.
function icon(size) {
  const px = Buffer.alloc(size * size * 4);
  const set = (x, y, [r, g, b, a]) => px.set([r, g, b, a], (y * size + x) * 4);
  const red = [198, 40, 40, 255];
  const white = [255, 255, 255, 255];
  const m = Math.max(1, Math.round(size / 8));
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) set(x, y, x < m / 2 || y < m / 2 || x >= size - m / 2 || y >= size - m / 2 ? [0, 0, 0, 0] : red);
  const line = Math.max(1, Math.round(size / 12));
  for (const [i, frac] of [[0, 0.3], [1, 0.5], [2, 0.7]]) {
    const y0 = Math.round(size * frac);
    for (let y = y0; y < y0 + line; y++) for (let x = 2 * m; x < size - 2 * m - (i === 2 ? 3 * m : 0); x++) set(x, y, white);
  }
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.from([0]), px.subarray(y * size * 4, (y + 1) * size * 4));
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/**
 * A zip archive of the files directly in dir (an .xpi is one): deflated
 * entries, no folders, a fixed date so that the same build gives the same
 * bytes. replace maps a file name to the bytes to store in its place.
 */
export function zipFolder(dir, replace = {}) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const name of readdirSync(dir).sort()) {
    const data = Object.hasOwn(replace, name) ? Buffer.from(replace[name]) : readFileSync(join(dir, name));
    const packed = deflateRawSync(data, { level: 9 });
    const nameBytes = Buffer.from(name, 'utf8');
    // version needed, flags (UTF-8 names), method 8 (deflate), time, date 1980-01-01, crc, sizes, name length, extra length
    const fields = Buffer.alloc(26);
    fields.writeUInt16LE(20, 0);
    fields.writeUInt16LE(0x0800, 2);
    fields.writeUInt16LE(8, 4);
    fields.writeUInt16LE(0, 6);
    fields.writeUInt16LE(0x21, 8);
    fields.writeUInt32LE(crc32(data), 10);
    fields.writeUInt32LE(packed.length, 14);
    fields.writeUInt32LE(data.length, 18);
    fields.writeUInt16LE(nameBytes.length, 22);
    fields.writeUInt16LE(0, 24);
    const header = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), fields, nameBytes]);
    local.push(header, packed);
    // made by, then the same fields, then comment length, disk, attributes, offset
    const tail = Buffer.alloc(14);
    tail.writeUInt32LE(offset, 10);
    central.push(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02, 20, 0]), fields, tail, nameBytes]));
    offset += header.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length, 8);
  end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dirBytes, end]);
}

export async function buildExtension() {
  rmSync(dist, { recursive: true, force: true });
  for (const [browser, target] of [['chrome', 'chrome116'], ['firefox', 'firefox140']]) {
    const out = join(dist, browser);
    mkdirSync(out, { recursive: true });
    await build({
      entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(src, file)])),
      outdir: out,
      bundle: true,
      format: 'iife',
      target,
      minify: false,
      legalComments: 'linked',
      plugins: [tldtsIsPure],
      logLevel: 'warning',
    });
    const manifest = manifestFor(browser);
    if (browser === 'chrome' && chromeID(manifest.key) !== CHROME_ID) throw new Error(`manifest.chrome.json's key gives the id ${chromeID(manifest.key)}, not ${CHROME_ID}`);
    writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    copyFileSync(join(src, 'popup', 'popup.html'), join(out, 'popup.html'));
    copyFileSync(join(src, 'options', 'options.html'), join(out, 'options.html'));
    copyFileSync(join(src, 'confirm', 'confirm-pair.html'), join(out, 'confirm-pair.html'));
    if (browser === 'chrome') copyFileSync(join(src, 'offscreen', 'offscreen.html'), join(out, 'offscreen.html'));
    copyFileSync(join(src, 'ui.css'), join(out, 'ui.css'));
    for (const size of [16, 32, 48, 128]) writeFileSync(join(out, `icon-${size}.png`), icon(size));
  }
  // The same Firefox build packed, to install for good where Firefox allows
  // unsigned add-ons (ESR, Developer Edition, Nightly).
  const xpi = join(dist, 'redline-firefox.xpi');
  writeFileSync(xpi, zipFolder(join(dist, 'firefox')));
  return { chrome: join(dist, 'chrome'), firefox: join(dist, 'firefox'), xpi };
}

/**
 * The manifest a browser's add-on store takes: Chrome's without `key` (the
 * store refuses a manifest that has one, and gives the id itself), the
 * Firefox one as built.
 */
export function storeManifest(manifest) {
  const { key: _key, ...rest } = manifest;
  return rest;
}

// A version as a file name may hold it: letters, digits, dot, plus, minus.
const versionRe = /^[0-9A-Za-z][0-9A-Za-z.+-]*$/;

/**
 * Builds the extension and writes the zips to upload to each browser's
 * store into dir, named with version. Returns their paths.
 */
export async function buildStore(dir, version) {
  if (!versionRe.test(version ?? '')) throw new Error(`version ${JSON.stringify(version)}: want letters, digits, dots, plus and minus signs`);
  const built = await buildExtension();
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const browser of ['chrome', 'firefox']) {
    const manifest = storeManifest(JSON.parse(readFileSync(join(built[browser], 'manifest.json'), 'utf8')));
    out[browser] = join(dir, `redline-extension_${version}_${browser}.zip`);
    writeFileSync(out[browser], zipFolder(built[browser], { 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` }));
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { store: { type: 'string' }, version: { type: 'string' } } });
  if (values.store !== undefined) {
    const out = await buildStore(values.store, values.version);
    console.log(`Built the extension for the stores: ${out.chrome} and ${out.firefox}`);
  } else {
    // How to load them is said once, by `make run` and in README.md.
    const out = await buildExtension();
    console.log(`Built the extension: ${out.chrome}, ${out.firefox} and ${out.xpi}`);
  }
}
