import { describe, expect, it } from 'vitest';
import {
  parseSignatureHeader,
  signBody,
  tokensEqual,
  verifySignature,
} from '../../../shared/webhook/signature.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('X-Hub-Signature verification', () => {
  // Atlassian's documented test vector (DESIGN.md, "Facts the design rests on").
  const vectorSecret = "It's a Secret to Everybody";
  const vectorBody = enc('Hello World!');
  const vectorHeader = 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9';

  it('accepts Atlassian test vector', () => {
    expect(verifySignature(vectorHeader, vectorBody, [vectorSecret])).toEqual({ ok: true });
  });

  it('produces the test vector when signing', () => {
    expect(signBody('sha256', vectorSecret, vectorBody)).toBe(vectorHeader);
  });

  it('accepts an upper-case method and hex digits', () => {
    expect(verifySignature(vectorHeader.toUpperCase(), vectorBody, [vectorSecret])).toEqual({ ok: true });
  });

  it('reads the method from the header (sha512)', () => {
    const header = signBody('sha512', 'k', vectorBody);
    expect(verifySignature(header, vectorBody, ['k'])).toEqual({ ok: true });
  });

  it('refuses a wrong secret', () => {
    expect(verifySignature(vectorHeader, vectorBody, ['not it'])).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a changed body', () => {
    expect(verifySignature(vectorHeader, enc('Hello World?'), [vectorSecret])).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses an unknown or weak method', () => {
    expect(verifySignature(`md5=${'0'.repeat(32)}`, vectorBody, [vectorSecret])).toEqual({
      ok: false,
      reason: 'unsupported-method',
    });
    expect(verifySignature(`sha1=${'0'.repeat(40)}`, vectorBody, [vectorSecret])).toEqual({
      ok: false,
      reason: 'unsupported-method',
    });
  });

  it('refuses a truncated signature', () => {
    expect(verifySignature(vectorHeader.slice(0, -2), vectorBody, [vectorSecret])).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
  });

  it.each(['', '   ', 'sha256', 'sha256=', '=abc', 'sha256=xyz', 'sha256 = abc'])(
    'refuses header %j',
    (h) => {
      const result = verifySignature(h, vectorBody, [vectorSecret]);
      expect(result.ok).toBe(false);
    },
  );

  it('reports a missing header', () => {
    expect(verifySignature(undefined, vectorBody, [vectorSecret])).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('accepts either value during a rotation', () => {
    expect(verifySignature(vectorHeader, vectorBody, ['new secret', vectorSecret])).toEqual({ ok: true });
    expect(verifySignature(vectorHeader, vectorBody, [vectorSecret, 'old secret'])).toEqual({ ok: true });
  });

  it('refuses when no secret is valid', () => {
    expect(verifySignature(vectorHeader, vectorBody, [])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('parses method and hex', () => {
    expect(parseSignatureHeader(vectorHeader)).toEqual({ method: 'sha256', hex: vectorHeader.slice(7) });
  });
});

describe('token comparison', () => {
  it('is equal only for equal strings, whatever the lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'a')).toBe(false);
  });
});

describe('untrusted signature methods', () => {
  it.each(['constructor', 'toString', 'valueOf'])('refuses %s as a method', (method) => {
    expect(verifySignature(`${method}=${'a'.repeat(64)}`, new Uint8Array([1]), ['s'])).toEqual({
      ok: false,
      reason: 'unsupported-method',
    });
  });
});
