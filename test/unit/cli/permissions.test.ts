import { describe, expect, it } from 'vitest';
import { grantHint, requiredPermissions } from '../../../shared/cli/permissions.ts';
import { flowSchema } from '../../../shared/config/flows.ts';

const base = {
  id: 'f',
  source: { connection: 'cloud', project: 'HELP' },
  target: { connection: 'dc', project: 'ENG', issueType: 'Bug' },
  status: { map: { Escalated: 'To Do' } },
};

describe('requiredPermissions', () => {
  it('asks everything a two-way flow writes on either side (Jira keys, in a stable order)', () => {
    const flow = flowSchema.parse(base);

    expect(requiredPermissions(flow, 'target', false)).toEqual([
      'BROWSE_PROJECTS',
      'CREATE_ISSUES',
      'EDIT_ISSUES',
      'TRANSITION_ISSUES',
      'ADD_COMMENTS',
      'EDIT_OWN_COMMENTS',
      'DELETE_OWN_COMMENTS',
      'CREATE_ATTACHMENTS',
      'DELETE_OWN_ATTACHMENTS',
      'LINK_ISSUES',
    ]);
    expect(requiredPermissions(flow, 'source', true)).toEqual([
      'BROWSE_PROJECTS',
      'EDIT_ISSUES',
      'TRANSITION_ISSUES',
      'ADD_COMMENTS',
      'EDIT_OWN_COMMENTS',
      'DELETE_OWN_COMMENTS',
      'CREATE_ATTACHMENTS',
      'DELETE_OWN_ATTACHMENTS',
      'LINK_ISSUES',
      'SERVICEDESK_AGENT',
    ]);
  });

  it('asks only read and link permissions of the source of a one-way flow without comments or attachments', () => {
    const flow = flowSchema.parse({
      ...base,
      direction: 'source-to-target',
      comments: false,
      attachments: false,
      onSourceDeleted: { action: 'leave' },
    });

    expect(requiredPermissions(flow, 'source', false)).toEqual(['BROWSE_PROJECTS', 'LINK_ISSUES']);
    expect(requiredPermissions(flow, 'target', false)).toEqual([
      'BROWSE_PROJECTS',
      'CREATE_ISSUES',
      'EDIT_ISSUES',
      'TRANSITION_ISSUES',
      'LINK_ISSUES',
    ]);
  });

  it('follows per-part directions: a field flowing back needs EDIT_ISSUES on the source', () => {
    const flow = flowSchema.parse({
      ...base,
      direction: 'source-to-target',
      status: undefined,
      comments: false,
      attachments: false,
      links: { remoteLinks: false },
      fields: [{ source: 'summary' }, { source: 'priority', direction: 'target-to-source' }],
    });

    expect(requiredPermissions(flow, 'source', false)).toEqual(['BROWSE_PROJECTS', 'EDIT_ISSUES']);
  });
});

describe('grantHint', () => {
  it("names the place in each flavour's menus", () => {
    expect(grantHint('cloud', 'ENG', 'jira-sync')).toContain('Project settings → Permissions');
    expect(grantHint('datacenter', 'ENG', 'jira-sync')).toContain(
      'Administration → Issues → Permission schemes',
    );
  });
});
