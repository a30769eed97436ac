import { describe, expect, it } from 'vitest';
import { parseWebhookSecret } from '../../../shared/webhook/webhook-secret.ts';

describe('webhook secret value', () => {
  it('takes a plain string', () => {
    expect(parseWebhookSecret('s3cret\n')).toEqual(['s3cret']);
  });

  it('takes both values while rotating', () => {
    expect(parseWebhookSecret('{"current":"new","previous":"old"}')).toEqual(['new', 'old']);
  });

  it('takes a rotation record without a previous value', () => {
    expect(parseWebhookSecret('{"current":"new"}')).toEqual(['new']);
  });

  it('refuses an empty secret', () => {
    expect(() => parseWebhookSecret('  ')).toThrow('the secret is empty');
  });

  it('refuses JSON of the wrong shape without echoing the value', () => {
    let message = '';
    try {
      parseWebhookSecret('{"value":"hunter2"}');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"current"');
    expect(message).not.toContain('hunter2');
  });

  it('refuses broken JSON without echoing the value', () => {
    expect(() => parseWebhookSecret('{hunter2')).toThrow(/does not parse/);
    expect(() => parseWebhookSecret('{hunter2')).not.toThrow(/hunter2/);
  });
});
