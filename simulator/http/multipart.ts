import { JiraError } from '../errors.ts';

/**
 * A small `multipart/form-data` parser for attachment uploads: the simulator buffers the body anyway
 * (bounded by the site's attachment limit), so a parser over one Buffer is enough and needs no dependency.
 */

export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return (m?.[1] ?? m?.[2])?.trim();
}

function headerParam(header: string, param: string): string | undefined {
  const star = new RegExp(`${param}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(header);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const m = new RegExp(`(?:^|;)\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
  const value = m?.[1] ?? m?.[2];
  return value === undefined ? undefined : value.replace(/\\(.)/g, '$1').trim();
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw JiraError.badRequest('The multipart body has no parts.');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) throw JiraError.badRequest('A multipart part has no header end.');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) throw JiraError.badRequest('The multipart body is not terminated.');
    const content = body.subarray(headerEnd + 4, next);
    let name = '';
    let filename: string | undefined;
    // Browsers and HTTP clients send a type with each file; without one, treat it as opaque bytes.
    let contentType = 'application/octet-stream';
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') {
        name = headerParam(value, 'name') ?? '';
        filename = headerParam(value, 'filename');
      } else if (key === 'content-type') {
        contentType = value;
      }
    }
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      contentType,
      content: Buffer.from(content),
    });
    pos = next + 2;
  }
  return parts;
}
