import { describe, expect, it } from 'vitest';
import {
  type AttachmentRules,
  type AttachmentView,
  planAttachments,
} from '../../../shared/sync/attachments.ts';

const rules: AttachmentRules = {
  direction: 'two-way',
  maxBytes: 1000,
  ownAccount: { source: 'sync-cloud', target: 'sync-dc' },
};
const a = (id: string, filename: string, size: number, author = 'alice'): AttachmentView => ({
  id,
  filename,
  size,
  author,
});

describe('planAttachments', () => {
  it('copies new attachments both ways', () => {
    const actions = planAttachments([a('1', 'log.txt', 10)], [a('9', 'trace.png', 20, 'bob')], [], rules);
    expect(actions).toEqual([
      { kind: 'copy', to: 'target', origin: a('1', 'log.txt', 10) },
      { kind: 'copy', to: 'source', origin: a('9', 'trace.png', 20, 'bob') },
    ]);
  });

  it('does not copy its own uploads back', () => {
    const links = [
      { origin: 'source' as const, sourceId: '1', targetId: '5', filename: 'log.txt', size: 10 },
    ];
    expect(
      planAttachments([a('1', 'log.txt', 10)], [a('5', 'log.txt', 10, 'sync-dc')], links, rules),
    ).toEqual([]);
  });

  it('relinks an upload from a crashed run instead of uploading twice', () => {
    const actions = planAttachments([a('1', 'log.txt', 10)], [a('5', 'log.txt', 10, 'sync-dc')], [], rules);
    expect(actions).toEqual([
      { kind: 'relink', to: 'target', origin: a('1', 'log.txt', 10), copy: a('5', 'log.txt', 10, 'sync-dc') },
    ]);
  });

  it('skips attachments over the size limit', () => {
    expect(planAttachments([a('1', 'dump.bin', 5000)], [], [], rules)).toEqual([
      { kind: 'too-large', to: 'target', origin: a('1', 'dump.bin', 5000) },
    ]);
  });

  it('deletes the other of a pair when one is deleted', () => {
    const links = [
      { origin: 'source' as const, sourceId: '1', targetId: '5', filename: 'log.txt', size: 10 },
    ];
    expect(planAttachments([], [a('5', 'log.txt', 10, 'sync-dc')], links, rules)).toEqual([
      { kind: 'delete', side: 'target', attachmentId: '5', link: links[0] },
    ]);
    expect(planAttachments([], [], links, rules)).toEqual([{ kind: 'forget', link: links[0] }]);
  });
});
