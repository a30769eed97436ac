import type { Flow } from '../config/flows.ts';
import { FlowMisconfigured } from './errors.ts';
import { resolveFields } from './field-map.ts';
import type { Side } from './merge.ts';
import type { SitePort } from './site-port.ts';

const has = (names: readonly string[], wanted: string) =>
  names.some((n) => n.toLowerCase() === wanted.toLowerCase());
const list = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * Checks a flow against its two sites: both projects exist, the target issue type or request type exists,
 * every mapped field resolves to a field jira-sync can copy, and every status the status map names exists
 * in its project's workflows. Returns every problem found (empty when the flow is ready), each naming the
 * flow, the site and the missing thing, so `npm start` (and later `doctor`) can refuse a broken flow.
 */
export async function checkFlow(flow: Flow, sites: Readonly<Record<Side, SitePort>>): Promise<string[]> {
  const problems: string[] = [];
  const where = (side: Side) => `${sites[side].connectionId} (${side})`;
  const [source, target] = await Promise.all([
    sites.source.describeProject(flow.source.project),
    sites.target.describeProject(flow.target.project),
  ]);
  if (!source)
    problems.push(`flow ${flow.id}: project ${flow.source.project} not found on ${where('source')}`);
  if (!target)
    problems.push(`flow ${flow.id}: project ${flow.target.project} not found on ${where('target')}`);
  if (source) {
    for (const type of flow.source.issueTypes ?? []) {
      if (!has(source.issueTypes, type)) {
        problems.push(
          `flow ${flow.id}: no issue type "${type}" in ${flow.source.project} on ${where('source')} (has ${list(source.issueTypes)})`,
        );
      }
    }
  }
  if (target) {
    const { issueType, requestType } = flow.target;
    if (issueType && !has(target.issueTypes, issueType)) {
      problems.push(
        `flow ${flow.id}: no issue type "${issueType}" in ${flow.target.project} on ${where('target')} (has ${list(target.issueTypes)})`,
      );
    }
    if (requestType && !has(target.requestTypes ?? [], requestType)) {
      problems.push(
        target.requestTypes
          ? `flow ${flow.id}: no request type "${requestType}" in ${flow.target.project} on ${where('target')} (has ${list(target.requestTypes)})`
          : `flow ${flow.id}: ${flow.target.project} on ${where('target')} is not a service desk, so it has no request type "${requestType}"`,
      );
    }
  }
  if (flow.status) {
    for (const [from, to] of Object.entries(flow.status.map)) {
      if (source && !has(source.statuses, from)) {
        problems.push(
          `flow ${flow.id}: status "${from}" is not in ${flow.source.project}'s workflows on ${where('source')}`,
        );
      }
      if (target && !has(target.statuses, to)) {
        problems.push(
          `flow ${flow.id}: status "${to}" is not in ${flow.target.project}'s workflows on ${where('target')}`,
        );
      }
    }
  }
  try {
    const [sourceFields, targetFields] = await Promise.all([sites.source.fields(), sites.target.fields()]);
    resolveFields(flow, sourceFields, targetFields);
  } catch (error) {
    if (!(error instanceof FlowMisconfigured)) throw error;
    problems.push(error.message);
  }
  return problems;
}
