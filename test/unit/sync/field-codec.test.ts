import { describe, expect, it } from 'vitest';
import { decodeField, encodeField, isSupportedField } from '../../../shared/sync/field-codec.ts';
import type { FieldMeta } from '../../../shared/sync/site-port.ts';

const f = (type: string, items?: string): FieldMeta => ({
  id: 'x',
  name: 'x',
  type,
  ...(items ? { items } : {}),
});

describe('field codec', () => {
  it.each([
    [f('string'), 'VPN down', 'VPN down'],
    [f('number'), 3, 3],
    [f('date'), '2026-12-01', '2026-12-01'],
    [f('priority'), { self: 'x', id: '2', name: 'High' }, 'High'],
    [f('option'), { id: '10020', value: 'Customer' }, 'Customer'],
    [f('array', 'string'), ['b', 'a', 'b'], ['a', 'b']],
    [
      f('array', 'component'),
      [
        { id: '1', name: 'VPN' },
        { id: '2', name: 'Auth' },
      ],
      ['Auth', 'VPN'],
    ],
    [f('array', 'option'), [{ value: 'EU' }], ['EU']],
    [f('string'), null, null],
    [f('array', 'string'), [], null],
    [f('number'), 'not a number', null],
  ])('decodes %j', (meta, raw, expected) => {
    expect(decodeField(meta, raw, 'cloud')).toEqual(expected);
  });

  it('decodes users by accountId on Cloud and username on Data Center', () => {
    expect(decodeField(f('user'), { accountId: '5b10', displayName: 'A' }, 'cloud')).toBe('5b10');
    expect(decodeField(f('user'), { name: 'alice', key: 'JIRAUSER1' }, 'datacenter')).toBe('alice');
  });

  it('encodes for edits in each representation', () => {
    expect(encodeField(f('priority'), 'High', 'cloud')).toEqual({ name: 'High' });
    expect(encodeField(f('option'), 'EU', 'cloud')).toEqual({ value: 'EU' });
    expect(encodeField(f('user'), 'alice', 'datacenter')).toEqual({ name: 'alice' });
    expect(encodeField(f('user'), '5b10', 'cloud')).toEqual({ accountId: '5b10' });
    expect(encodeField(f('array', 'component'), ['VPN'], 'cloud')).toEqual([{ name: 'VPN' }]);
    expect(encodeField(f('array', 'string'), null, 'cloud')).toEqual([]);
    expect(encodeField(f('string'), null, 'cloud')).toBeNull();
  });

  it('names the field types it can copy', () => {
    expect(isSupportedField(f('array', 'attachment'))).toBe(false);
    expect(isSupportedField(f('option'))).toBe(true);
  });
});
