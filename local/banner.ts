import { relative } from 'node:path';
import type { Connection } from '../shared/config/schema.ts';
import type { DemoCredentials } from '../simulator/demo/demo-sites.ts';
import { currentWebhookSecret, hubSignature } from './sample-webhook.ts';

/** The simulated Jira sites `npm start` runs with the demo configuration. */
export interface BannerSimulator {
  readonly sites: readonly {
    readonly connectionId: string;
    readonly flavour: 'cloud' | 'datacenter';
    readonly baseUrl: string;
    readonly projectKey: string;
    readonly serviceManagement: boolean;
    readonly credentials: DemoCredentials | undefined;
    readonly cloudId?: string;
  }[];
  readonly adminUrl: string | undefined;
  readonly gatewayUrl: string | undefined;
  readonly demoActivity: boolean;
}

export interface BannerInput {
  readonly apiUrl: string;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly maxReceiveCount: number;
  readonly secretsEndpoint: string;
  readonly secretsFile: string;
  readonly configPath: string;
  readonly connections: readonly Connection[];
  readonly missingSecrets: readonly string[];
  webhookUrl(connectionId: string): string;
  localSecret(nameOrArn: string): string | undefined;
  /** Per connection id: the sample body file and its exact bytes (the signature must match the file). */
  readonly samples: ReadonlyMap<string, { readonly file: string; readonly body: string }>;
  /** Present when running the demo config: its secret may be shown. */
  readonly demo?: { readonly webhookSecret: string; readonly isDefault: boolean };
  readonly jiraSimulator?: BannerSimulator;
  readonly cwd: string;
}

/** The start-up text: where everything listens, the webhook URLs, and a curl per connection. */
export function renderBanner(input: BannerInput): string {
  const rel = (p: string) => relative(input.cwd, p) || p;
  const configLabel = `${rel(input.configPath)}${input.demo ? ' (demo)' : ''}`;
  const lines = [
    '',
    'jira-sync local stack: everything on 127.0.0.1, real handler code, local AWS endpoints',
    `  config           ${configLabel}`,
    `  HTTP API         ${input.apiUrl}   (GET /healthz)`,
    `  SQS (fauxqs)     ${input.sqsEndpoint}`,
    `    queue          ${input.queueUrl}`,
    `    DLQ            ${input.dlqUrl}   (after ${input.maxReceiveCount} receives)`,
    `  Secrets Manager  ${input.secretsEndpoint}   (store ${rel(input.secretsFile)})`,
  ];
  if (input.missingSecrets.length > 0) {
    lines.push(`  note: add these secrets to ${rel(input.secretsFile)} as "name": "value" and restart:`);
    for (const ref of input.missingSecrets) lines.push(`          ${ref}`);
  }

  lines.push('', 'Webhook URLs');
  const width = Math.max(...input.connections.map((c) => c.id.length));
  for (const c of input.connections) {
    lines.push(
      `  ${c.id.padEnd(width)}  ${`(${c.webhook.verify})`.padEnd(12)} ${targetUrl(input, c, false)}`,
    );
  }
  if (input.demo) {
    const note = input.demo.isDefault
      ? 'local-only default; set JIRA_SYNC_DEMO_WEBHOOK_SECRET to change it'
      : 'from JIRA_SYNC_DEMO_WEBHOOK_SECRET';
    lines.push('', `Demo webhook secret: ${input.demo.webhookSecret}   (${note})`);
  }

  for (const c of input.connections) {
    const sample = input.samples.get(c.id);
    if (!sample) continue;
    lines.push('', `Send a signed test webhook to ${c.id} (jira:issue_updated):`, curlFor(input, c, sample));
  }
  if (input.jiraSimulator) lines.push(...simulatorLines(input.jiraSimulator));
  lines.push(
    '',
    'Within 5 minutes, a repeat with the same X-Atlassian-Webhook-Identifier (Data Center: the same body)',
    'is deduplicated by the FIFO queue, as in AWS.',
    'Handler logs follow as JSON lines. Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

function curlFor(input: BannerInput, c: Connection, sample: { file: string; body: string }): string {
  const secret = secretFor(input, c);
  const headers = [`-H 'Content-Type: application/json'`];
  if (c.flavor === 'cloud') {
    // Jira Cloud's delivery id (the dedup key); Data Center sends none, so its body hash is used instead.
    headers.push(
      `-H "X-Atlassian-Webhook-Identifier: local-$(date +%s)"`,
      `-H 'X-Atlassian-Webhook-Flow: Primary'`,
    );
  }
  if (c.webhook.verify === 'hmac') {
    // The signature reveals nothing about the secret, so it is shown for any config.
    headers.push(
      secret
        ? `-H 'X-Hub-Signature: ${hubSignature(secret, sample.body)}'`
        : `-H 'X-Hub-Signature: sha256=<hmac>'`,
    );
  } else if (c.webhook.verify === 'bearer') {
    headers.push(
      `-H ${shellQuote(`Authorization: Bearer ${input.demo && secret ? secret : `<${c.webhook.secret}>`}`)}`,
    );
  }
  return [
    `  curl -i -X POST ${shellQuote(targetUrl(input, c, true))} \\`,
    ...headers.map((h) => `    ${h} \\`),
    `    --data-binary @${shellQuote(sample.file)}`,
  ].join('\n');
}

function targetUrl(input: BannerInput, c: Connection, forCurl: boolean): string {
  const url = input.webhookUrl(c.id);
  if (c.webhook.verify !== 'url-token') return url;
  const secret = secretFor(input, c);
  // Only the demo's local-only token is printed; a real one stays in the secrets file.
  const token =
    input.demo && secret ? encodeURIComponent(secret) : forCurl ? `<${c.webhook.secret}>` : '<token>';
  return `${url}?token=${token}`;
}

function secretFor(input: BannerInput, c: Connection): string | undefined {
  const stored = input.localSecret(c.webhook.secret);
  return stored === undefined ? undefined : currentWebhookSecret(stored);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function simulatorLines(sim: BannerSimulator): string[] {
  const lines = ['', 'Jira simulator: simulated sites on 127.0.0.1, webhooks wired to the URLs above'];
  const width = Math.max(...sim.sites.map((s) => s.connectionId.length), 'admin API'.length);
  for (const s of sim.sites) {
    const kind =
      s.flavour === 'cloud'
        ? `Jira Cloud${s.serviceManagement ? ' + Service Management' : ''}`
        : `Jira Data Center${s.serviceManagement ? ' + Service Management' : ''}`;
    lines.push(
      `  ${s.connectionId.padEnd(width)}  ${`${kind} (project ${s.projectKey})`.padEnd(52)} ${s.baseUrl}`,
    );
  }
  if (sim.adminUrl) {
    lines.push(
      `  ${'admin API'.padEnd(width)}  ${'faults, act as a user, stats (simulator/README.md)'.padEnd(52)} ${sim.adminUrl}/sites`,
    );
  }
  if (sim.gatewayUrl) {
    lines.push(
      `  ${'OAuth 2.0'.padEnd(width)}  ${'3LO token endpoint and /ex/jira/{cloudId}'.padEnd(52)} ${sim.gatewayUrl}`,
    );
  }
  const curls = sim.sites.flatMap((s) => {
    const url = shellQuote(`${s.baseUrl}/rest/api/2/myself`);
    if (s.credentials?.kind === 'basic')
      return [`  curl -u ${shellQuote(`${s.credentials.user}:${s.credentials.secret}`)} ${url}`];
    if (s.credentials?.kind === 'pat')
      return [`  curl -H ${shellQuote(`Authorization: Bearer ${s.credentials.token}`)} ${url}`];
    return [];
  });
  if (curls.length > 0)
    lines.push('', 'Call the simulated Jira with the demo credentials (local only):', ...curls);
  lines.push(
    '',
    sim.demoActivity
      ? 'Demo activity: a customer raises a request, an agent escalates it, an engineer comments and resolves;\n' +
          'watch the webhooks reach the ingest and the worker below (npm start -- --no-demo-activity keeps it quiet).'
      : 'Demo activity is off; act in the simulated Jira with curl or the admin API.',
  );
  return lines;
}
