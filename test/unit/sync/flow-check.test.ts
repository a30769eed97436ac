import { describe, expect, it } from 'vitest';
import { flowSchema } from '../../../shared/config/flows.ts';
import { checkFlow } from '../../../shared/sync/flow-check.ts';
import { FakeSite } from '../../helpers/fake-site.ts';

const flow = (overrides: Record<string, unknown> = {}) =>
  flowSchema.parse({
    id: 'f',
    source: { connection: 'cloud', project: 'HELP' },
    target: { connection: 'dc', project: 'ENG', issueType: 'Bug' },
    status: { map: { Escalated: 'To Do' } },
    ...overrides,
  });

describe('checkFlow', () => {
  const sites = () => ({
    source: new FakeSite('cloud', { serviceDesk: true }),
    target: new FakeSite('dc', { flavor: 'datacenter' }),
  });

  it('passes a flow whose names all exist', async () => {
    expect(await checkFlow(flow(), sites())).toEqual([]);
  });

  it('names each missing thing with the flow, site and what exists', async () => {
    const problems = await checkFlow(
      flow({
        target: { connection: 'dc', project: 'ENG', issueType: 'Epic' },
        status: { map: { Waiting: 'Closed' } },
        fields: [{ source: 'summary' }, { source: 'Story points' }],
      }),
      sites(),
    );
    expect(problems).toEqual([
      'flow f: no issue type "Epic" in ENG on dc (target) (has "Task", "Bug")',
      'flow f: status "Waiting" is not in HELP\'s workflows on cloud (source)',
      'flow f: status "Closed" is not in ENG\'s workflows on dc (target)',
      'flow f: no field "Story points" on cloud (source)',
    ]);
  });

  it('refuses a request type on a project that is not a service desk', async () => {
    const problems = await checkFlow(
      flow({ target: { connection: 'dc', project: 'ENG', requestType: 'Get IT help' } }),
      sites(),
    );
    expect(problems).toEqual([
      'flow f: ENG on dc (target) is not a service desk, so it has no request type "Get IT help"',
    ]);
  });
});
