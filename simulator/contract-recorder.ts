import type { Contracts, ExchangeRequest, ExchangeResponse } from './contract/contracts.ts';
import { ContractViolationError } from './errors.ts';

/**
 * Checks every request a site receives and every response it sends against Atlassian's OpenAPI files
 * and keeps what does not conform. Tests fail on any violation (`assertNoContractViolations`); `npm start`
 * logs them as warnings. A violating request is still served: the point is to report, not to hide.
 */

export interface ContractViolation {
  readonly site: string;
  readonly direction: 'request' | 'response';
  readonly method: string;
  readonly url: string;
  readonly operationId?: string;
  readonly status?: number;
  readonly messages: readonly string[];
}

export interface OperationSeen {
  readonly operationId: string;
  readonly method: string;
  readonly statuses: Set<number>;
}

export class ContractRecorder {
  private readonly found: ContractViolation[] = [];
  /** Operation ids answered and with which statuses: the coverage test checks every contract operation was served. */
  readonly operations = new Map<string, OperationSeen>();

  constructor(
    private readonly site: string,
    private readonly contracts: Contracts | undefined,
    private readonly onViolation?: (violation: ContractViolation) => void,
  ) {}

  get enabled(): boolean {
    return this.contracts !== undefined;
  }

  private add(v: ContractViolation): void {
    this.found.push(v);
    this.onViolation?.(v);
  }

  request(request: ExchangeRequest): void {
    if (!this.contracts) return;
    const check = this.contracts.checkRequest(request);
    if (check.violations.length > 0) {
      this.add({
        site: this.site,
        direction: 'request',
        method: request.method,
        url: request.url,
        ...(check.operationId ? { operationId: check.operationId } : {}),
        messages: check.violations,
      });
    }
  }

  response(request: Pick<ExchangeRequest, 'method' | 'url'>, response: ExchangeResponse): void {
    if (!this.contracts) return;
    const check = this.contracts.checkResponse(request, response);
    if (check.operationId) {
      const seen = this.operations.get(check.operationId) ?? {
        operationId: check.operationId,
        method: request.method,
        statuses: new Set(),
      };
      seen.statuses.add(response.status);
      this.operations.set(check.operationId, seen);
    }
    if (check.violations.length > 0) {
      this.add({
        site: this.site,
        direction: 'response',
        method: request.method,
        url: request.url,
        status: response.status,
        ...(check.operationId ? { operationId: check.operationId } : {}),
        messages: check.violations,
      });
    }
  }

  violations(): readonly ContractViolation[] {
    return [...this.found];
  }

  clear(): void {
    this.found.length = 0;
  }

  assertNone(): void {
    if (this.found.length === 0) return;
    const lines = this.found
      .slice(0, 20)
      .map(
        (v) =>
          `  ${v.direction} ${v.method} ${v.url}${v.status ? ` → ${v.status}` : ''}: ${v.messages.join('; ')}`,
      );
    throw new ContractViolationError(
      `${this.found.length} contract violation(s) on site ${this.site}:\n${lines.join('\n')}`,
    );
  }
}
