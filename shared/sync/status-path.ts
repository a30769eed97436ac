/** A workflow transition as Jira lists it for an issue: its id, and the status it leads to. */
export interface TransitionEdge {
  readonly id: string;
  readonly name: string;
  readonly to: string;
}

/** Known transitions per status name, learned from Jira's transition lists. */
export type WorkflowGraph = ReadonlyMap<string, readonly TransitionEdge[]>;

const norm = (status: string) => status.trim().toLowerCase();

/**
 * The shortest sequence of transitions from one status to another over the known part of the workflow
 * (breadth-first). `[]` when already there, `undefined` when no known path exists — which the engine
 * reports rather than guessing, since a wrong transition may fire workflow post-functions.
 */
export function statusPath(from: string, to: string, graph: WorkflowGraph): TransitionEdge[] | undefined {
  if (norm(from) === norm(to)) return [];
  const edgesOf = new Map([...graph].map(([status, edges]) => [norm(status), edges]));
  const previous = new Map<string, { status: string; edge: TransitionEdge }>();
  const queue = [norm(from)];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const status = queue.shift() as string;
    for (const edge of edgesOf.get(status) ?? []) {
      const next = norm(edge.to);
      if (seen.has(next)) continue;
      seen.add(next);
      previous.set(next, { status, edge });
      if (next === norm(to)) {
        const path: TransitionEdge[] = [];
        for (let at = next; at !== norm(from); ) {
          const step = previous.get(at);
          if (!step) return undefined;
          path.unshift(step.edge);
          at = step.status;
        }
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
}
