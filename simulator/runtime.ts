import type { Clock } from './clock.ts';
import type { ContractRecorder } from './contract-recorder.ts';
import type { FaultController } from './faults.ts';
import type { OpsContext } from './model/ops-context.ts';
import type { SiteState } from './model/state.ts';
import type { Flavour, User } from './model/types.ts';
import type { OAuthAuthority } from './oauth.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';
import type { WebhookRegistry } from './webhooks/registry.ts';

/** What the HTTP layer and the routes need from a site (implemented by `Site`). */
export interface SiteRuntime {
  readonly id: string;
  readonly flavour: Flavour;
  readonly baseUrl: string;
  readonly cloudId: string;
  readonly state: SiteState;
  readonly ops: OpsContext;
  readonly clock: Clock;
  readonly faults: FaultController;
  readonly registry: WebhookRegistry;
  readonly dispatcher: WebhookDispatcher;
  readonly contracts: ContractRecorder;
  readonly oauth: OAuthAuthority | undefined;
  /** Upper bound of a request body (attachments included). */
  readonly maxRequestBytes: number;
  /** Signs short-lived media URLs for attachment downloads (Cloud redirects to them). */
  mediaToken(attachmentId: string): string;
  checkMediaToken(attachmentId: string, token: string): boolean;
  countRequest(operation: string, status: number): void;
}

/** Who is calling: the user, how they authenticated, and for 3LO the app and its scopes. */
export interface Principal {
  readonly user: User;
  readonly via: 'basic' | 'pat' | 'oauth';
  readonly appId?: string;
  readonly scopes?: ReadonlySet<string>;
}
