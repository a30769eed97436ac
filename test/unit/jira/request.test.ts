import { describe, expect, it } from 'vitest';
import { jiraPath, queryString } from '../../../shared/jira/request.ts';

describe('jiraPath', () => {
  it('percent-encodes every interpolated segment, so an id cannot change the path', () => {
    expect(jiraPath`/rest/api/2/issue/${'ENG-1'}/properties/${'a/b?c'}`).toBe(
      '/rest/api/2/issue/ENG-1/properties/a%2Fb%3Fc',
    );
    expect(jiraPath`/rest/api/2/issue/${'../../admin'}`).toBe('/rest/api/2/issue/..%2F..%2Fadmin');
  });
});

describe('queryString', () => {
  it('joins arrays with commas, leaves out undefined, and encodes values', () => {
    expect(
      queryString({
        fields: ['summary', 'status'],
        expand: undefined,
        jql: 'project = "A B"',
        notifyUsers: false,
      }),
    ).toBe('?fields=summary%2Cstatus&jql=project+%3D+%22A+B%22&notifyUsers=false');
  });

  it('is empty without parameters', () => {
    expect(queryString({ a: undefined })).toBe('');
    expect(queryString(undefined)).toBe('');
  });
});
