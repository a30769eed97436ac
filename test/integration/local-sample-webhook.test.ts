import { describe, expect, it } from 'vitest';
import { currentWebhookSecret, hubSignature } from '../../local/sample-webhook.ts';

describe('banner webhook signing', () => {
  it("matches Atlassian's X-Hub-Signature test vector", () => {
    expect(hubSignature("It's a Secret to Everybody", 'Hello World!')).toBe(
      'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9',
    );
  });

  it('signs with the current value of a rotating secret', () => {
    expect(currentWebhookSecret('{"current":"new","previous":"old"}')).toBe('new');
    expect(currentWebhookSecret('plain')).toBe('plain');
  });
});
