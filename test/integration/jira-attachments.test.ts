import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  addAttachment,
  deleteAttachment,
  downloadAttachment,
  getAttachment,
  listAttachments,
} from '../../shared/jira/platform/attachments.ts';
import { example } from '../helpers/jira-examples.ts';
import { useJira } from '../helpers/jira-fixture.ts';

const jira = useJira({ flavor: 'cloud', options: { maxAttempts: 3 } });

/** Atlassian's own addAttachment example breaks its schema (numeric dates, a missing id): built from getAttachment's. */
function uploaded(...names: string[]) {
  const { properties: _, ...meta } = example('getAttachment');
  return names.map((filename, i) => ({ ...meta, id: String(10001 + i), filename }));
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('attachments (Cloud)', () => {
  it("lists an issue's attachments from its attachment field", async () => {
    const attachment = example('getAttachment');
    jira.server.on('GET', '/rest/api/2/issue/10002', {
      status: 200,
      json: { id: '10002', key: 'ED-1', fields: { attachment: [attachment] } },
    });

    const listed = await listAttachments(jira.client, '10002');

    expect(listed.map((a) => [a.id, a.filename, a.size])).toEqual([['10000', 'picture.jpg', 23123]]);
    expect(jira.server.requests[0]?.query.get('fields')).toBe('attachment');
  });

  it('reads attachment metadata', async () => {
    jira.server.on('GET', '/rest/api/2/attachment/10000', { status: 200, json: example('getAttachment') });

    expect((await getAttachment(jira.client, '10000')).mimeType).toBe('image/jpeg');
  });

  it('streams the content from Jira itself (redirect=false), not from a media host', async () => {
    const content = 'x'.repeat(256 * 1024);
    jira.server.on('GET', '/rest/api/2/attachment/content/10000', {
      status: 200,
      body: content,
      headers: { 'content-type': 'image/jpeg', 'content-length': String(content.length) },
    });

    const download = await downloadAttachment(jira.client, { id: '10000', filename: 'picture.jpg' });

    expect(download).toMatchObject({ contentType: 'image/jpeg', contentLength: content.length });
    expect(download.body).toBeInstanceOf(ReadableStream);
    expect(await text(download.body)).toBe(content);
    expect(jira.server.requests[0]?.query.get('redirect')).toBe('false');
  });

  it('uploads bytes as multipart with X-Atlassian-Token: no-check', async () => {
    jira.server.on('POST', '/rest/api/2/issue/10002/attachments', {
      status: 200,
      json: uploaded('picture.jpg', 'dbeuglog.txt'),
    });

    const created = await addAttachment(jira.client, '10002', {
      filename: 'report "final".txt',
      contentType: 'text/plain',
      content: new TextEncoder().encode('hello jira'),
    });

    const request = jira.server.requests[0];
    const file = request?.form?.get('file');
    expect(request?.headers['x-atlassian-token']).toBe('no-check');
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(file).toBeInstanceOf(File);
    expect(await (file as File).text()).toBe('hello jira');
    expect(created.map((a) => a.filename)).toEqual(['picture.jpg', 'dbeuglog.txt']);
  });

  it('uploads a Node stream without buffering it, framed as multipart by hand', async () => {
    jira.server.on('POST', '/rest/api/2/issue/10002/attachments', {
      status: 200,
      json: uploaded('picture.jpg', 'dbeuglog.txt'),
    });
    const chunks = ['part one, ', 'part two, ', 'part three'];

    await addAttachment(jira.client, '10002', {
      filename: 'log.txt',
      contentType: 'text/plain',
      content: Readable.from(chunks.map((c) => Buffer.from(c))),
    });

    const file = jira.server.requests[0]?.form?.get('file') as File;
    expect(file.name).toBe('log.txt');
    expect(await file.text()).toBe(chunks.join(''));
  });

  it('retries a rate-limited byte upload but never a consumed stream', async () => {
    const limited = { status: 429, headers: { 'retry-after': '1' } };
    jira.server.on('POST', '/rest/api/2/issue/10002/attachments', {
      status: 200,
      json: uploaded('a.txt'),
    });

    jira.server.once('POST', '/rest/api/2/issue/10002/attachments', limited);
    await addAttachment(jira.client, '10002', { filename: 'a.txt', content: new Uint8Array([1, 2, 3]) });
    jira.server.once('POST', '/rest/api/2/issue/10002/attachments', limited);
    const streamed = addAttachment(jira.client, '10002', {
      filename: 'b.txt',
      content: Readable.from([Buffer.from('once')]),
    });

    await expect(streamed).rejects.toMatchObject({ code: 'JIRA_RATE_LIMITED', retryable: true });
    const files = await Promise.all(
      jira.server.requests.map((r) => (r.form?.get('file') as File | undefined)?.name ?? '(none)'),
    );
    expect(files).toEqual(['a.txt', 'a.txt', 'b.txt']);
  });

  it('deletes an attachment', async () => {
    jira.server.on('DELETE', '/rest/api/2/attachment/10000', { status: 204 });

    await deleteAttachment(jira.client, '10000');

    expect(jira.server.requests).toHaveLength(1);
  });
});
