import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Contracts, loadContracts, locate } from '../../../simulator/contract/contracts.ts';
import { CONTRACT_FILES, type ContractName } from '../../../simulator/contract/operations.ts';
import { extractSubset, SHARED_CONTRACTS, vendoredFile } from '../../../simulator/contract/vendor.ts';

describe('contract location', () => {
  it('maps REST v2 paths to their v3 twins', () => {
    expect(locate('/rest/api/2/issue/ENG-1?fields=summary')).toEqual({
      contract: 'platform',
      path: '/rest/api/3/issue/ENG-1',
      query: { fields: 'summary' },
    });
  });

  it('strips the OAuth gateway prefix and Data Center context paths', () => {
    expect(locate('/ex/jira/11223344-a1b2/rest/api/2/myself')).toMatchObject({ path: '/rest/api/3/myself' });
    expect(locate('/jira/rest/api/2/serverInfo')).toMatchObject({ path: '/rest/api/3/serverInfo' });
  });

  it('routes Service Management paths to their contract', () => {
    expect(locate('/rest/servicedeskapi/request/HELP-1/comment')).toMatchObject({ contract: 'servicedesk' });
  });

  it('names admin webhooks as unspecified', () => {
    expect(locate('/rest/webhooks/1.0/webhook/7')).toEqual({
      unspecified: expect.stringContaining('admin webhooks'),
    });
  });
});

describe('contract checks', () => {
  let contracts: Contracts;
  beforeAll(async () => {
    contracts = await loadContracts();
  });

  it('accepts a v2 comment with a wiki-markup body', () => {
    const check = contracts.checkRequest({
      method: 'POST',
      url: '/rest/api/2/issue/10002/comment',
      headers: { 'content-type': 'application/json' },
      body: {
        body: 'Fixed in *prod*',
        properties: [{ key: 'sd.public.comment', value: { internal: true } }],
      },
    });
    expect(check).toMatchObject({ contract: 'platform', operationId: 'addComment', violations: [] });
  });

  it('finds a wrongly typed response field', () => {
    const check = contracts.checkResponse(
      { method: 'GET', url: '/rest/api/2/issue/10002' },
      { status: 200, body: { id: 10002, key: 'ENG-2' } },
    );
    expect(check.violations).toEqual([expect.stringContaining('getIssue response 200: /id must be string')]);
  });

  it('finds an undocumented status', () => {
    const check = contracts.checkResponse({ method: 'GET', url: '/rest/api/2/myself' }, { status: 302 });
    expect(check.violations[0]).toContain('status 302 is not documented');
  });

  it('allows rate-limit and server errors on any operation', () => {
    expect(
      contracts.checkResponse({ method: 'GET', url: '/rest/api/2/myself' }, { status: 429 }).violations,
    ).toEqual([]);
  });

  it('finds a bad query parameter', () => {
    const check = contracts.checkRequest({ method: 'GET', url: '/rest/api/2/search/jql?maxResults=lots' });
    expect(check.violations.join()).toContain('maxResults');
  });

  it('refuses an operation that is not in the vendored subset', () => {
    const check = contracts.checkRequest({ method: 'GET', url: '/rest/api/2/dashboard' });
    expect(check.violations[0]).toContain('no such operation');
  });

  it('leaves multipart bodies to the form parser but still wants a JSON body where one is required', () => {
    const upload = {
      method: 'POST',
      url: '/rest/api/2/issue/10002/attachments',
      headers: { 'x-atlassian-token': 'no-check' },
    };
    expect(contracts.checkRequest({ ...upload, multipart: true }).violations).toEqual([]);
    const missing = contracts.checkRequest({ method: 'POST', url: '/rest/api/2/issue/10002/comment' });
    expect(missing.violations.join()).toContain('requestBody');
  });

  it('checks Service Management requests', () => {
    const check = contracts.checkRequest({
      method: 'POST',
      url: '/rest/servicedeskapi/request/HELP-2/comment',
      headers: { 'content-type': 'application/json' },
      body: { body: 'internal note', public: false },
    });
    expect(check).toMatchObject({ contract: 'servicedesk', violations: [] });
  });
});

describe('vendored contracts', () => {
  it.skipIf(!existsSync(SHARED_CONTRACTS))('match a fresh extraction from ../shared/contracts', () => {
    for (const name of Object.keys(CONTRACT_FILES) as ContractName[]) {
      expect(readFileSync(vendoredFile(name), 'utf8') === extractSubset(name), name).toBe(true);
    }
  });
});
