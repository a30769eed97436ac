import { describe, expect, it } from 'vitest';
import { signState, stateKey, verifyState } from '../../../shared/oauth/state.ts';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const key = stateKey('client-secret-1', 'acme-oauth');
const payload = { connectionId: 'acme-oauth', nonce: 'nonce-1', expiresAt: NOW + 600_000 };
const expected = { connectionId: 'acme-oauth', nonce: 'nonce-1', now: NOW };

describe('OAuth state', () => {
  it('verifies what it signed', () => {
    expect(verifyState(signState(payload, key), expected, key)).toEqual({ ok: true, payload });
  });

  it.each([
    {
      name: 'a changed payload',
      state: () => {
        const [v, , s] = signState(payload, key).split('.');
        return `${v}.${Buffer.from('{"c":"acme-oauth","n":"nonce-1","e":9999999999999}').toString('base64url')}.${s}`;
      },
      reason: 'bad-signature',
    },
    {
      name: 'another client secret',
      state: () => signState(payload, stateKey('client-secret-2', 'acme-oauth')),
      reason: 'bad-signature',
    },
    {
      name: "another connection's state",
      state: () => signState({ ...payload, connectionId: 'other' }, key),
      reason: 'wrong-connection',
    },
    {
      name: 'an expired state',
      state: () => signState({ ...payload, expiresAt: NOW }, key),
      reason: 'expired',
    },
    {
      name: 'a state from another browser',
      state: () => signState({ ...payload, nonce: 'nonce-2' }, key),
      reason: 'wrong-browser',
    },
    { name: 'garbage', state: () => 'v1.not-json.sig', reason: 'bad-signature' },
    { name: 'nothing', state: () => undefined, reason: 'malformed' },
  ])('refuses $name', ({ state, reason }) => {
    expect(verifyState(state(), expected, key)).toEqual({ ok: false, reason });
  });

  it('refuses a callback without the cookie nonce', () => {
    expect(verifyState(signState(payload, key), { ...expected, nonce: undefined }, key)).toEqual({
      ok: false,
      reason: 'wrong-browser',
    });
  });

  it('derives a different key per connection from one client secret', () => {
    expect(stateKey('client-secret-1', 'a').equals(stateKey('client-secret-1', 'b'))).toBe(false);
  });
});
