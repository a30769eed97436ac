import pkg from '../../package.json' with { type: 'json' };

/** Sent on every call to Jira and Atlassian so site admins can tell jira-sync's traffic apart. */
export const USER_AGENT = `jira-sync/${pkg.version}`;
