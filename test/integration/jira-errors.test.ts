import { describe, expect, it } from 'vitest';
import {
  JiraConflictError,
  JiraNotFoundError,
  JiraPermissionError,
  JiraUnexpectedResponse,
  JiraValidationError,
} from '../../shared/jira/errors.ts';
import { addAttachment } from '../../shared/jira/platform/attachments.ts';
import { editIssue, getIssue } from '../../shared/jira/platform/issues.ts';
import { doTransition } from '../../shared/jira/platform/transitions.ts';
import { addRequestComment } from '../../shared/jira/servicedesk/request-comments.ts';
import { useJira } from '../helpers/jira-fixture.ts';

const jira = useJira({ flavor: 'cloud' });

const permission = (key: string, havePermission: boolean) => ({
  id: '12',
  key,
  name: key,
  type: 'PROJECT',
  description: `Ability to ${key}`,
  havePermission,
});

describe('Jira refusals become typed errors', () => {
  it("400 keeps Jira's errorMessages and per-field errors, not retryable", async () => {
    jira.server.on('PUT', '/rest/api/2/issue/ENG-1', {
      status: 400,
      json: {
        errorMessages: ['Issue type is a sub-task'],
        errors: { customfield_10050: 'Option id 99 is not valid' },
      },
    });

    const error = await editIssue(jira.client, 'ENG-1', {
      fields: { customfield_10050: { id: '99' } },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraValidationError);
    expect(error).toMatchObject({
      code: 'JIRA_INVALID_REQUEST',
      retryable: false,
      status: 400,
      errorMessages: ['Issue type is a sub-task'],
      errors: { customfield_10050: 'Option id 99 is not valid' },
    });
    expect((error as Error).message).toContain('customfield_10050: Option id 99 is not valid');
  });

  it('409 (a conflicting update) is retryable and keeps the details', async () => {
    jira.server.on('POST', '/rest/api/2/issue/ENG-1/transitions', {
      status: 409,
      json: { errorMessages: ['The issue was updated concurrently.'], errors: {} },
    });

    const error = await doTransition(jira.client, 'ENG-1', { transitionId: '21' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraConflictError);
    expect(error).toMatchObject({ retryable: true, errorMessages: ['The issue was updated concurrently.'] });
  });

  it('404 names the issue and is final', async () => {
    jira.server.on('GET', '/rest/api/2/issue/10999', {
      status: 404,
      json: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
    });

    const error = await getIssue(jira.client, '10999').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraNotFoundError);
    expect(error).toMatchObject({ retryable: false, connectionId: 'acme', operation: 'getIssue' });
    expect((error as Error).message).toContain('issue 10999');
  });

  it("keeps Service Management's single errorMessage", async () => {
    jira.server.on('POST', '/rest/servicedeskapi/request/HELP-9/comment', {
      status: 400,
      json: {
        errorMessage: 'The comment body is required.',
        i18nErrorMessage: { i18nKey: 'sd.comment.required', parameters: [] },
      },
    });

    await expect(addRequestComment(jira.client, 'HELP-9', { body: '', public: false })).rejects.toMatchObject(
      {
        errorMessages: ['The comment body is required.'],
      },
    );
  });

  it('an answer of the wrong shape is an unexpected response, not a crash', async () => {
    jira.server.on('GET', '/rest/api/2/issue/ENG-1', {
      status: 200,
      body: '<html>maintenance</html>',
      headers: { 'content-type': 'text/html' },
    });

    const error = await getIssue(jira.client, 'ENG-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraUnexpectedResponse);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('is not JSON') });
  });
});

describe('403 is diagnosed with mypermissions', () => {
  it('names the project and the permissions the account lacks', async () => {
    jira.server.on('PUT', '/rest/api/2/issue/ENG-12', {
      status: 403,
      json: { errorMessages: ['You do not have permission to edit issues in this project.'], errors: {} },
    });
    jira.server.on('GET', '/rest/api/2/mypermissions', {
      status: 200,
      json: {
        permissions: {
          BROWSE_PROJECTS: permission('BROWSE_PROJECTS', true),
          EDIT_ISSUES: permission('EDIT_ISSUES', false),
        },
      },
    });

    const error = await editIssue(jira.client, 'ENG-12', { fields: { summary: 'x' } }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(JiraPermissionError);
    expect(error).toMatchObject({
      code: 'JIRA_FORBIDDEN',
      retryable: false,
      project: 'ENG',
      missingPermissions: ['EDIT_ISSUES'],
    });
    expect((error as Error).message).toContain("jira-sync's account lacks EDIT_ISSUES in project ENG");
    const diagnosis = jira.server.requestsTo('GET', '/rest/api/2/mypermissions')[0];
    expect(diagnosis?.query.get('issueKey')).toBe('ENG-12');
    expect(diagnosis?.query.get('permissions')).toBe('BROWSE_PROJECTS,EDIT_ISSUES');
  });

  it('asks by issue id when the call named an id', async () => {
    // addComment documents no 403 (Jira answers 400 there); attachments do.
    jira.server.on('POST', '/rest/api/2/issue/10002/attachments', { status: 403 });
    jira.server.on('GET', '/rest/api/2/mypermissions', {
      status: 200,
      json: {
        permissions: {
          BROWSE_PROJECTS: permission('BROWSE_PROJECTS', true),
          CREATE_ATTACHMENTS: permission('CREATE_ATTACHMENTS', false),
        },
      },
    });

    const upload = { filename: 'a.txt', content: new Uint8Array([1]) };
    const error = await addAttachment(jira.client, '10002', upload).catch((e: unknown) => e);

    expect(error).toMatchObject({ missingPermissions: ['CREATE_ATTACHMENTS'] });
    expect((error as Error).message).toContain('lacks CREATE_ATTACHMENTS in the project of issue 10002');
    expect(jira.server.requestsTo('GET', '/rest/api/2/mypermissions')[0]?.query.get('issueId')).toBe('10002');
  });

  it('says so when the account holds every permission asked for', async () => {
    jira.server.on('PUT', '/rest/api/2/issue/ENG-12', { status: 403 });
    jira.server.on('GET', '/rest/api/2/mypermissions', {
      status: 200,
      json: {
        permissions: {
          BROWSE_PROJECTS: permission('BROWSE_PROJECTS', true),
          EDIT_ISSUES: permission('EDIT_ISSUES', true),
        },
      },
    });

    const error = await editIssue(jira.client, 'ENG-12', { fields: {} }).catch((e: unknown) => e);

    expect(error).toMatchObject({ missingPermissions: [] });
    expect((error as Error).message).toContain('although the account holds BROWSE_PROJECTS, EDIT_ISSUES');
  });

  it('still names what the call needs when mypermissions fails', async () => {
    jira.server.on('PUT', '/rest/api/2/issue/ENG-12', { status: 403 });
    jira.server.on('GET', '/rest/api/2/mypermissions', {
      status: 400,
      json: { errorMessages: ['bad'], errors: {} },
    });

    const error = await editIssue(jira.client, 'ENG-12', { fields: {} }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraPermissionError);
    expect((error as Error).message).toContain('needs BROWSE_PROJECTS, EDIT_ISSUES');
  });
});
