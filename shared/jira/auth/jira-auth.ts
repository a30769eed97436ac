import type { Connection } from '../../config/schema.ts';
import { JiraCredentialsError } from '../errors.ts';
import { authorizationHeader, parseStaticCredentials } from './credentials.ts';
import type { SecretStore } from './secret-store.ts';

/** What a call needs from authentication: where to send it and the Authorization header. */
export interface AuthState {
  /** The site URL, or for OAuth the gateway `<apiUrl>/ex/jira/{cloudId}`; no trailing slash. */
  readonly baseUrl: string;
  readonly authorization: string;
}

/** One connection's authentication. Never exposes more than the header value the call sends. */
export interface JiraAuth {
  readonly type: Connection['auth']['type'];
  current(): Promise<AuthState>;
  /**
   * After a 401: refetch the secret (it may have rotated) and, for OAuth, refresh. True when the next
   * attempt would send different credentials, i.e. when one retry makes sense.
   */
  recover(failed: AuthState): Promise<boolean>;
}

/** Reads the connection's secret, turning store failures into errors that name the secret, not its value. */
export async function readAuthSecret(
  store: SecretStore,
  connection: Connection,
  fresh: boolean,
): Promise<string> {
  try {
    return await store.read(connection.auth.secret, { fresh });
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : '';
    if (name === 'ResourceNotFoundException' || name === 'AccessDeniedException') {
      const why =
        name === 'ResourceNotFoundException' ? 'does not exist' : 'may not be read by this function';
      throw new JiraCredentialsError(
        connection.id,
        'invalid',
        `the ${connection.auth.type} secret "${connection.auth.secret}" ${why}`,
        { cause },
      );
    }
    throw new JiraCredentialsError(
      connection.id,
      'unavailable',
      `cannot read the ${connection.auth.type} secret "${connection.auth.secret}" from Secrets Manager`,
      { cause },
    );
  }
}

export function siteBaseUrl(connection: Connection): string {
  return connection.baseUrl.replace(/\/+$/, '');
}

/** Basic (Cloud e-mail + API token, Data Center username + password) and Data Center personal access tokens. */
export function staticAuth(connection: Connection, store: SecretStore): JiraAuth {
  const load = async (fresh: boolean): Promise<AuthState> => {
    const raw = await readAuthSecret(store, connection, fresh);
    return {
      baseUrl: siteBaseUrl(connection),
      authorization: authorizationHeader(parseStaticCredentials(raw, connection)),
    };
  };
  return {
    type: connection.auth.type,
    current: () => load(false),
    async recover(failed) {
      const next = await load(true);
      return next.authorization !== failed.authorization;
    },
  };
}
