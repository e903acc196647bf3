// Runs every case of the shared vectors (shared/vectors/*.json), the same
// files the daemon's Go tests run, so the two sides cannot drift apart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type Block,
  canonicalURL,
  chooseCanonical,
  MAX_URL_BYTES,
  normalizeBlocks,
  normalizePre,
  normalizeText,
  site,
} from './canonical';

type URLVectors = {
  canonical: ({ name: string; in: string; out: string } | { name: string; in: string; error: true })[];
  choose: { name: string; url: string; declared: string; out: string }[];
  site: { name: string; in: string; out: string }[];
};
type TextCase = { name: string; in: string; out: string };
type TextVectors = {
  text: TextCase[];
  pre: TextCase[];
  blocks: { name: string; in: Block[]; out: Block[] }[];
};

// Tests run from the repository root (npm test).
const load = <T>(file: string): T =>
  JSON.parse(readFileSync(join(process.cwd(), 'shared', 'vectors', file), 'utf8')) as T;
const urls = load<URLVectors>('urls.json');
const texts = load<TextVectors>('text.json');

describe('canonicalURL vectors', () => {
  test('has enough cases', () => assert.ok(urls.canonical.length >= 40));
  for (const c of urls.canonical) {
    test(c.name, () => {
      if ('error' in c) {
        assert.throws(() => canonicalURL(c.in), Error, `canonicalURL(${JSON.stringify(c.in)}) should fail`);
        return;
      }
      const got = canonicalURL(c.in);
      assert.equal(got, c.out);
      assert.equal(canonicalURL(got), got, 'canonical form is a fixed point');
    });
  }
});

describe('chooseCanonical vectors', () => {
  for (const c of urls.choose) {
    test(c.name, () => assert.equal(chooseCanonical(c.url, c.declared), c.out));
  }
});

describe('site vectors', () => {
  for (const c of urls.site) {
    test(c.name, () => assert.equal(site(c.in), c.out));
  }
});

describe('normalizeText vectors', () => {
  for (const c of texts.text) {
    test(c.name, () => {
      assert.equal(normalizeText(c.in), c.out);
      assert.equal(normalizeText(c.out), c.out, 'idempotent');
    });
  }
});

describe('normalizePre vectors', () => {
  for (const c of texts.pre) {
    test(c.name, () => {
      assert.equal(normalizePre(c.in), c.out);
      assert.equal(normalizePre(c.out), c.out, 'idempotent');
    });
  }
});

describe('normalizeBlocks vectors', () => {
  for (const c of texts.blocks) {
    test(c.name, () => {
      const before = structuredClone(c.in);
      assert.deepEqual(normalizeBlocks(c.in), c.out);
      assert.deepEqual(c.in, before, 'input left unchanged');
    });
  }
});

describe('canonicalURL limits', () => {
  const base = 'https://example.com/';
  test('accepts exactly 8 KB', () => {
    const fits = base + 'a'.repeat(MAX_URL_BYTES - base.length);
    assert.equal(canonicalURL(fits), fits);
  });
  test('refuses more than 8 KB', () => {
    assert.throws(() => canonicalURL(`${base}${'a'.repeat(MAX_URL_BYTES)}`), /8 KB/);
  });
  test('refuses a URL that escapes to more than 8 KB', () => {
    assert.throws(() => canonicalURL(base + 'é'.repeat(3000)), /8 KB/);
  });
  test('error messages say what is wrong', () => {
    assert.throws(() => canonicalURL('javascript:alert(1)'), { message: 'only http and https URLs can be tracked, not javascript:' });
    assert.throws(() => canonicalURL('example.com/news'), /not absolute/);
    assert.throws(() => canonicalURL('https://a\uD800b.com/'), /not valid Unicode/);
  });
  test('chooseCanonical throws for an invalid page only', () => {
    assert.throws(() => chooseCanonical('file:///etc/passwd', 'https://example.com/'));
    assert.equal(chooseCanonical('https://example.com/a', undefined), 'https://example.com/a');
    assert.equal(chooseCanonical('https://example.com/a', null), 'https://example.com/a');
  });
});

describe('normalizeText on broken UTF-16', () => {
  test('lone surrogates become U+FFFD', () => {
    assert.equal(normalizeText('a\uD800b\uDC00'), 'a\uFFFDb\uFFFD');
    assert.equal(normalizePre('a\uDBFF\nb'), 'a\uFFFD\nb');
  });
});
