import type * as z from 'zod';
import type { Connection } from '../config/schema.ts';
import { type AuthState, type JiraAuth, staticAuth } from './auth/jira-auth.ts';
import { oauthAuth } from './auth/oauth-auth.ts';
import { secretsManagerSecretStore } from './auth/secret-store.ts';
import type { JiraClient } from './client.ts';
import { CLIENT_DEFAULTS as DEFAULTS, type JiraClientOptions } from './client-options.ts';
import { EndpointPacer } from './endpoint-pacer.ts';
import {
  type JiraCallContext,
  JiraNetworkError,
  JiraRateLimitError,
  JiraTimeoutError,
  JiraUnexpectedResponse,
} from './errors.ts';
import { type Answer, type Attempt, failureOf } from './failures.ts';
import { RateGates } from './rate-gates.ts';
import { announcedBudget, type BackoffOptions, fullJitterBackoff, readRateLimit } from './rate-limit.ts';
import {
  type Expect,
  isIdempotent,
  isWrite,
  type JiraDownload,
  type JiraRequest,
  queryString,
} from './request.ts';
import { type AttemptBody, bodyEncoder } from './request-body.ts';
import { type Clock, systemClock, TokenBucket, type TokenBucketOptions } from './token-bucket.ts';
import { USER_AGENT } from './user-agent.ts';

/**
 * The one `send` seam over Node's fetch: pauses learnt from 429s, client-side pacing, auth (with one
 * recovery on 401), a per-call timeout, retries of what can be retried, and Jira's answer parsed with the
 * operation's schema or turned into a typed error.
 */
export class HttpJiraClient implements JiraClient {
  readonly connectionId: string;
  readonly flavor: Connection['flavor'];
  readonly serviceManagement: boolean;
  readonly authType: Connection['auth']['type'];
  private readonly auth: JiraAuth;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly bucket: TokenBucket;
  private readonly pacer: EndpointPacer;
  private readonly gates = new RateGates();
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryWaitMs: number;
  private readonly backoff: BackoffOptions;
  private readonly observe: JiraClientOptions['observe'];
  private readonly onRateLimitWait: JiraClientOptions['onRateLimitWait'];

  constructor(connection: Connection, options: JiraClientOptions) {
    this.observe = options.observe;
    this.onRateLimitWait = options.onRateLimitWait;
    this.connectionId = connection.id;
    this.flavor = connection.flavor;
    this.serviceManagement = connection.serviceManagement;
    this.authType = connection.auth.type;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULTS.maxRetryWaitMs;
    this.backoff = options.backoff ?? DEFAULTS.backoff;
    const rate = options.rate ?? connectionRate(connection) ?? DEFAULTS.rate;
    this.bucket = new TokenBucket(rate, this.clock);
    this.pacer = new EndpointPacer({ ceilingPerSecond: rate.ratePerSecond }, this.clock);
    const store =
      options.secrets ?? secretsManagerSecretStore({ ttlMs: options.secretTtlMs ?? DEFAULTS.secretTtlMs });
    this.auth =
      connection.auth.type === 'oauth'
        ? oauthAuth(connection, { store, clock: this.clock, timeoutMs: this.timeoutMs, ...options.oauth })
        : staticAuth(connection, store);
  }

  send<S extends z.ZodType>(request: JiraRequest & { readonly expect: S }): Promise<z.output<S>>;
  send(request: JiraRequest & { readonly expect: 'stream' }): Promise<JiraDownload>;
  send(request: JiraRequest & { readonly expect: 'nothing' }): Promise<void>;
  async send(request: JiraRequest & { readonly expect: Expect }): Promise<unknown> {
    if (!this.observe) return this.sendAll(request);
    const call = {
      connectionId: this.connectionId,
      operation: request.operation,
      method: request.method,
      path: request.path,
    };
    return this.observe(call, () => this.sendAll(request));
  }

  /** One call: pacing, attempts, retries and the answer. */
  private async sendAll(request: JiraRequest & { readonly expect: Expect }): Promise<unknown> {
    const encoder = bodyEncoder(request);
    const state: Attempt = {
      context: {
        connectionId: this.connectionId,
        operation: request.operation,
        method: request.method,
        path: request.path,
      },
      gate: {
        operation: request.operation,
        ...(isWrite(request.method) && request.issue !== undefined ? { writesIssue: request.issue } : {}),
      },
      replayable: encoder.replayable,
      waitedMs: 0,
      attempt: 0,
      recovered: false,
    };
    for (;;) {
      if (!(await this.pace(state, request.operation))) continue;
      const auth = await this.auth.current();
      const answer = await this.fetchOnce(request, auth, encoder.next(), state);
      if (answer === 'retry') continue;
      // Data Center announces its budget on every answer while rate limiting is on; an answer without it
      // means the limit was lifted (or this account exempted), so the configured pace applies again.
      const announced = announcedBudget(answer.headers);
      if (announced) this.bucket.adopt(announced);
      else this.bucket.restore();
      if (answer.ok) return this.read(request, answer, state.context);
      if (await this.shouldRetry(request, answer, auth, state)) continue;
      throw await failureOf(this, request, answer, state);
    }
  }

  /**
   * Waits for the call's turn: pauses learnt from 429s, the endpoint's learnt rate, the connection's
   * bucket. False when a 429 changed the picture while it waited: a slot planned before that 429 would
   * go out during the new pause or at the old rate, so the caller starts over.
   */
  private async pace(state: Attempt, endpoint: string): Promise<boolean> {
    await this.waitForGates(state);
    const epoch = this.pacer.epoch(endpoint);
    const wait = this.pacer.reserve(endpoint);
    if (wait > 0) {
      // A learnt limit, like a pause: it counts against the call's wait budget, so a slow endpoint sends
      // the record back to the queue instead of holding the Lambda (and its batch) for minutes.
      if (state.waitedMs + wait > this.maxRetryWaitMs) {
        this.pacer.cancel(endpoint);
        throw new JiraRateLimitError(
          state.context,
          wait,
          'endpoint',
          'endpoint paced after jira-burst-based 429s',
        );
      }
      state.waitedMs += wait;
      this.onRateLimitWait?.(state.context, wait);
      await this.clock.sleep(wait);
    }
    await this.bucket.take();
    const now = this.clock.now();
    return this.pacer.epoch(endpoint) === epoch && this.gates.pausedUntil(state.gate, now).until <= now;
  }

  /** Waits out pauses learnt from earlier 429s, or fails at once when they outlast the call's budget. */
  private async waitForGates(state: Attempt): Promise<void> {
    const now = this.clock.now();
    const pause = this.gates.pausedUntil(state.gate, now);
    const wait = pause.until - now;
    if (wait <= 0) return;
    if (state.waitedMs + wait > this.maxRetryWaitMs) {
      throw new JiraRateLimitError(
        state.context,
        wait,
        pause.scope,
        state.rateLimit?.reason ?? 'paused by an earlier 429',
      );
    }
    state.waitedMs += wait;
    this.onRateLimitWait?.(state.context, wait);
    await this.clock.sleep(wait);
  }

  private async fetchOnce(
    request: JiraRequest & { readonly expect: Expect },
    auth: AuthState,
    body: AttemptBody,
    state: Attempt,
  ): Promise<Answer | 'retry'> {
    const url = `${auth.baseUrl}${request.path}${queryString(request.query)}`;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...request.headers,
      authorization: auth.authorization,
    };
    if (body.contentType) headers['content-type'] = body.contentType;
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      signal: controller.signal,
      // A redirect could carry the Authorization header elsewhere; the REST API needs none.
      redirect: 'manual',
    };
    if (body.body !== undefined) init.body = body.body;
    // Node's fetch sends a streamed request body only in half-duplex mode.
    if (body.body instanceof ReadableStream) init.duplex = 'half';
    try {
      const response = await fetch(url, init);
      if (request.expect === 'stream' && response.ok && response.body) {
        // The caller reads the download at its own pace; the timeout covered the wait for the headers.
        clearTimeout(timer);
        return {
          status: response.status,
          ok: true,
          headers: response.headers,
          text: '',
          stream: response.body,
        };
      }
      const text = await response.text();
      return { status: response.status, ok: response.ok, headers: response.headers, text };
    } catch (error) {
      if (controller.signal.aborted) {
        throw new JiraTimeoutError(state.context, `no answer within ${timeoutMs} ms`, undefined, {
          cause: error,
        });
      }
      if (isIdempotent(request.method) && (await this.backOff(state, undefined))) return 'retry';
      throw new JiraNetworkError(state.context, 'network error before Jira answered', undefined, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts an attempt and sleeps before the next one, when attempts and budget allow. */
  private async backOff(state: Attempt, delayMs: number | undefined): Promise<boolean> {
    if (state.attempt + 1 >= this.maxAttempts || !state.replayable) return false;
    const wait = delayMs ?? fullJitterBackoff(state.attempt, this.backoff, this.random);
    if (state.waitedMs + wait > this.maxRetryWaitMs) return false;
    state.attempt += 1;
    state.waitedMs += wait;
    if (delayMs !== undefined && wait > 0) this.onRateLimitWait?.(state.context, wait);
    if (wait > 0) await this.clock.sleep(wait);
    return true;
  }

  private async shouldRetry(
    request: JiraRequest,
    answer: Answer,
    auth: AuthState,
    state: Attempt,
  ): Promise<boolean> {
    const status = answer.status;
    if (status === 401) {
      if (state.recovered || !state.replayable) return false;
      state.recovered = true;
      return this.auth.recover(auth);
    }
    if (status === 429 || status === 503) {
      const advice = readRateLimit(answer.headers, this.clock.now());
      const delayMs = advice.delayMs ?? fullJitterBackoff(state.attempt, this.backoff, this.random);
      state.rateLimit = { delayMs, scope: advice.scope, reason: advice.reason };
      // Every call to the same scope (issue, endpoint or connection) now waits, not only this one.
      const until = this.clock.now() + delayMs;
      this.gates.pause(advice.scope, state.gate, until);
      if (advice.scope === 'endpoint') this.pacer.limited(request.operation, until);
      if (state.attempt + 1 >= this.maxAttempts || !state.replayable) return false;
      if (state.waitedMs + delayMs > this.maxRetryWaitMs) return false;
      state.attempt += 1;
      return true;
    }
    if ((status === 502 || status === 504) && isIdempotent(request.method)) {
      return this.backOff(state, undefined);
    }
    return false;
  }

  private read(request: JiraRequest & { readonly expect: Expect }, answer: Answer, context: JiraCallContext) {
    if (request.expect === 'stream') {
      if (!answer.stream) throw new JiraUnexpectedResponse(context, 'download without a body', answer.status);
      const length = answer.headers.get('content-length');
      const download: JiraDownload = {
        body: answer.stream,
        contentType: answer.headers.get('content-type') ?? undefined,
        contentLength: length === null ? undefined : Number(length),
      };
      return download;
    }
    if (request.expect === 'nothing') return undefined;
    let json: unknown;
    try {
      json = answer.text === '' ? undefined : JSON.parse(answer.text);
    } catch (cause) {
      throw new JiraUnexpectedResponse(context, `answer ${answer.status} is not JSON`, answer.status, {
        cause,
      });
    }
    const parsed = request.expect.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      throw new JiraUnexpectedResponse(context, `unexpected answer shape (${where})`, answer.status, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

/** The connection's `rateLimit` from the config, in the token bucket's terms. */
function connectionRate(connection: Connection): TokenBucketOptions | undefined {
  const limit = connection.rateLimit;
  return limit && { ratePerSecond: limit.requestsPerSecond, burst: limit.burst };
}
