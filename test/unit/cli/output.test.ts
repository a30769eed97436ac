import { describe, expect, it } from 'vitest';
import { formatAge, memoryOutput, paint, Redactor, streamOutput } from '../../../shared/cli/output.ts';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) };
}

describe('streamOutput', () => {
  it('colours only on a TTY', () => {
    const tty = streamOutput({ stdout: stream(true), stderr: stream(true), env: {} });
    const pipe = streamOutput({ stdout: stream(false), stderr: stream(false), env: {} });

    expect(paint(tty).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(paint(pipe).red('x')).toBe('x');
  });

  it('honours NO_COLOR and --no-color on a TTY', () => {
    expect(streamOutput({ stdout: stream(true), stderr: stream(true), env: { NO_COLOR: '1' } }).color).toBe(
      false,
    );
    expect(streamOutput({ stdout: stream(true), stderr: stream(true), env: {}, noColor: true }).color).toBe(
      false,
    );
  });

  it('shows progress on an interactive stderr only, and clears it before the next line', () => {
    const err = stream(true);
    const out = stream(false);
    const tty = streamOutput({ stdout: out, stderr: err, env: {} });
    tty.status('10 enqueued');
    tty.line('done');
    const quiet = stream(false);
    streamOutput({ stdout: stream(false), stderr: quiet, env: {} }).status('10 enqueued');

    expect(err.chunks).toEqual(['10 enqueued', '\r\x1b[2K']);
    expect(out.chunks).toEqual(['done\n']);
    expect(quiet.chunks).toEqual([]);
  });
});

describe('Redactor', () => {
  it('masks every secret value it was told about, and each string field of a JSON secret', () => {
    const redactor = new Redactor();
    redactor.add('{"email":"jira-sync@example.com","apiToken":"ATATT3xFfGF0-secret"}');
    redactor.add('plain-webhook-secret');

    expect(redactor.redact('token ATATT3xFfGF0-secret and plain-webhook-secret')).toBe('token *** and ***');
    expect(redactor.redact('url-encoded: plain-webhook-secret%21')).toContain('***');
  });

  it('masks ?token= in any URL even without knowing the value', () => {
    expect(new Redactor().redact('http://h/webhooks/dc?token=abc123&x=1 and ?TOKEN=zzz')).toBe(
      'http://h/webhooks/dc?token=***&x=1 and ?TOKEN=***',
    );
  });

  it('applies to everything an output prints', () => {
    const out = memoryOutput({ interactive: true });
    out.redactor.add('s3cr3t-value');
    out.line('a s3cr3t-value');
    out.error('b s3cr3t-value');
    out.status('c s3cr3t-value');

    expect(out.text()).not.toContain('s3cr3t-value');
  });
});

describe('formatAge', () => {
  it('speaks in the largest sensible unit', () => {
    expect([
      formatAge(5_000),
      formatAge(5 * 60_000),
      formatAge(3 * 3_600_000),
      formatAge(3 * 86_400_000),
    ]).toEqual(['5 s', '5 min', '3 h', '3 d']);
  });
});
