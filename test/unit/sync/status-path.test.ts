import { describe, expect, it } from 'vitest';
import { statusPath, type WorkflowGraph } from '../../../shared/sync/status-path.ts';

const graph: WorkflowGraph = new Map([
  ['To Do', [{ id: '11', name: 'Start', to: 'In Progress' }]],
  [
    'In Progress',
    [
      { id: '21', name: 'Review', to: 'In Review' },
      { id: '31', name: 'Stop', to: 'To Do' },
    ],
  ],
  [
    'In Review',
    [
      { id: '41', name: 'Approve', to: 'Done' },
      { id: '51', name: 'Reject', to: 'In Progress' },
    ],
  ],
  ['Done', [{ id: '61', name: 'Reopen', to: 'To Do' }]],
]);

describe('statusPath', () => {
  it('is empty when already there (names compare case-insensitively)', () => {
    expect(statusPath('done', 'Done', graph)).toEqual([]);
  });

  it('takes a direct transition', () => {
    expect(statusPath('To Do', 'In Progress', graph)?.map((t) => t.id)).toEqual(['11']);
  });

  it('finds the shortest multi-step path', () => {
    expect(statusPath('To Do', 'Done', graph)?.map((t) => t.name)).toEqual(['Start', 'Review', 'Approve']);
    expect(statusPath('Done', 'In Progress', graph)?.map((t) => t.id)).toEqual(['61', '11']);
  });

  it('reports when no path is known', () => {
    expect(statusPath('To Do', 'Cancelled', graph)).toBeUndefined();
    expect(statusPath('Unknown', 'Done', graph)).toBeUndefined();
  });
});
