import type {
  CustomFieldType,
  Flavour,
  IssueLinkType,
  IssueType,
  Priority,
  Resolution,
  Status,
  StatusCategory,
  Workflow,
} from './types.ts';

/** The fixed configuration every simulated site starts with: statuses, workflows, types, priorities. */

export const STATUS_CATEGORIES: Readonly<Record<StatusCategory['key'], StatusCategory>> = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
};

export const STATUSES: readonly Status[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
  { id: '10010', name: 'Waiting for support', category: 'new' },
  { id: '10011', name: 'Waiting for customer', category: 'indeterminate' },
  { id: '10012', name: 'Escalated', category: 'indeterminate' },
  { id: '10013', name: 'Resolved', category: 'done' },
];

/**
 * Software: To Do → In Progress → Done, with no direct To Do → Done, so a sync has to find a multi-step
 * path. Service Management: the ITSM request flow; two transitions are open to portal customers.
 */
export const WORKFLOWS: readonly Workflow[] = [
  {
    id: '1',
    name: 'Software Simplified Workflow',
    initialStatus: '10000',
    transitions: [
      { id: '11', name: 'Start Progress', from: ['10000'], to: '3' },
      { id: '21', name: 'Stop Progress', from: ['3'], to: '10000' },
      { id: '31', name: 'Done', from: ['3'], to: '10001' },
      { id: '41', name: 'Reopen', from: ['10001'], to: '10000' },
    ],
  },
  {
    id: '2',
    name: 'Service Management IT Support Workflow',
    initialStatus: '10010',
    transitions: [
      { id: '51', name: 'Respond to customer', from: ['10010', '10012'], to: '10011' },
      { id: '61', name: 'Escalate', from: ['10010', '10011'], to: '10012' },
      { id: '71', name: 'Back to support', from: ['10011', '10012'], to: '10010' },
      {
        id: '81',
        name: 'Resolve this issue',
        from: ['10010', '10011', '10012'],
        to: '10013',
        customer: true,
      },
      { id: '91', name: 'Reopen', from: ['10013'], to: '10010', customer: true },
    ],
  },
];

export const SOFTWARE_WORKFLOW = '1';
export const SERVICE_DESK_WORKFLOW = '2';

export function issueTypes(flavour: Flavour): {
  readonly software: readonly IssueType[];
  readonly serviceDesk: readonly IssueType[];
} {
  const cloud = flavour === 'cloud';
  return {
    software: [
      {
        id: cloud ? '10003' : '10002',
        name: 'Task',
        description: 'A small, distinct piece of work.',
        subtask: false,
        avatarId: 10318,
      },
      { id: '10004', name: 'Bug', description: 'A problem or error.', subtask: false, avatarId: 10303 },
      {
        id: cloud ? '10005' : '10001',
        name: 'Story',
        description: 'A user story.',
        subtask: false,
        avatarId: 10315,
      },
    ],
    serviceDesk: [
      {
        id: cloud ? '10006' : '10101',
        name: cloud ? '[System] Service request' : 'Service Request',
        description: 'A request that follows ITSM workflows.',
        subtask: false,
        avatarId: 10553,
      },
      {
        id: cloud ? '10007' : '10102',
        name: cloud ? '[System] Incident' : 'Incident',
        description: 'For system outages or incidents.',
        subtask: false,
        avatarId: 10551,
      },
    ],
  };
}

export const PRIORITIES: readonly Priority[] = [
  {
    id: '1',
    name: 'Highest',
    description: 'This problem will block progress.',
    statusColor: '#d04437',
    iconUrl: '/images/icons/priorities/highest_new.svg',
  },
  {
    id: '2',
    name: 'High',
    description: 'Serious problem that could block progress.',
    statusColor: '#f15C75',
    iconUrl: '/images/icons/priorities/high_new.svg',
  },
  {
    id: '3',
    name: 'Medium',
    description: 'Has the potential to affect progress.',
    statusColor: '#f79232',
    iconUrl: '/images/icons/priorities/medium_new.svg',
  },
  {
    id: '4',
    name: 'Low',
    description: 'Minor problem or easily worked around.',
    statusColor: '#707070',
    iconUrl: '/images/icons/priorities/low_new.svg',
  },
  {
    id: '5',
    name: 'Lowest',
    description: 'Trivial problem with little or no impact on progress.',
    statusColor: '#999999',
    iconUrl: '/images/icons/priorities/lowest_new.svg',
  },
];
export const DEFAULT_PRIORITY = '3';

export const RESOLUTIONS: readonly Resolution[] = [
  { id: '10000', name: 'Done' },
  { id: '10001', name: "Won't Do" },
  { id: '10002', name: 'Duplicate' },
];

export const LINK_TYPES: readonly IssueLinkType[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
];

/** Jira's custom field type keys and the JSON schema `type` each renders with. */
export const CUSTOM_FIELD_TYPES: Readonly<
  Record<CustomFieldType, { readonly custom: string; readonly schemaType: string; readonly searcher: string }>
> = {
  text: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
    schemaType: 'string',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:textsearcher',
  },
  textarea: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea',
    schemaType: 'string',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:textsearcher',
  },
  number: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float',
    schemaType: 'number',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:exactnumber',
  },
  select: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select',
    schemaType: 'option',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:multiselectsearcher',
  },
  user: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:userpicker',
    schemaType: 'user',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:userpickergroupsearcher',
  },
  date: {
    custom: 'com.atlassian.jira.plugin.system.customfieldtypes:datepicker',
    schemaType: 'date',
    searcher: 'com.atlassian.jira.plugin.system.customfieldtypes:daterange',
  },
};

/** Service Management's own fields; their ids are fixed per flavour like a fresh site's. */
export function serviceFieldIds(flavour: Flavour): {
  readonly requestType: string;
  readonly participants: string;
} {
  return flavour === 'cloud'
    ? { requestType: 'customfield_10010', participants: 'customfield_10026' }
    : { requestType: 'customfield_10300', participants: 'customfield_10301' };
}
