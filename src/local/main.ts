import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setLogSink } from '../log';
import { parseCliOptions } from './options';
import { recoverAfterRestart } from './recovery';
import { startRuntime } from './runtime';
import { serverFileOf } from './server-file';
import { ensureWebBuild, type WebBuild } from './web';

const LOCAL_TENANT = 'local';
const LOCAL_USER = 'local-user';

async function main() {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const logFile = dataDir ? join(dataDir, 'server.log') : undefined;
  setLogSink((line) => {
    process.stdout.write(`${line}\n`);
    if (logFile) appendFileSync(logFile, `${line}\n`);
  });

  // The dashboard is built (when its sources changed) while the runtime starts.
  const webBuild = ensureWebBuild();
  const runtime = await startRuntime({
    web: { build: webBuild, tenantId: LOCAL_TENANT, userId: LOCAL_USER },
    port: options.port,
    dataDir,
    stackDelayMs: options.stackDelayMs,
    buildDelayMs: options.buildDelayMs,
    approvalTimeoutSeconds: options.approvalTimeoutSeconds,
    // Email and Slack land in the outbox: say so, with the link to open.
    onOutbox: (message) =>
      process.stdout.write(
        `outbox ${message.kind === 'email' ? 'email to' : message.kind === 'slack' ? 'Slack to' : 'Slack update at'} ${message.to}: ${message.subject}\n` +
          (message.link ? `       approve or reject: ${message.link}\n` : '') +
          (message.file ? `       file: ${message.file}\n` : ''),
      ),
    allowPrivateWebhooks: options.allowPrivateWebhooks,
    webhookRetryScale: options.webhookRetryScale,
  });
  const recovered = await recoverAfterRestart(runtime);
  const token = runtime.tokenFor(LOCAL_TENANT, LOCAL_USER);
  if (dataDir) writeFileSync(join(dataDir, 'local-token'), `${token}\n`, { mode: 0o600 });
  // Where this server listens, for `npm run webhook` and `npm run token` in another shell.
  const serverFile = dataDir ? serverFileOf(dataDir) : undefined;
  if (serverFile)
    writeFileSync(
      serverFile,
      `${JSON.stringify({ url: runtime.url, pid: process.pid, startedAt: new Date().toISOString() })}\n`,
    );

  runtime.bus.subscribe((event) => {
    if (event.source !== 'tinystacks') return;
    const d = event.detail as Record<string, unknown>;
    const what = [d.stackId, d.runId, d.stageName, d.operationId, d.approvalId].filter(Boolean).join(' ');
    process.stdout.write(
      `event  ${event['detail-type']}: ${d.status ?? ''}${d.stageStatus ? `/${d.stageStatus}` : ''}  ${what}${d.error ? `  (${d.error})` : ''}${d.reason ? `  (${d.reason})` : ''}\n`,
    );
  });

  process.stdout.write(
    [
      '',
      `TinyStacks backend (embedded runtime) listening on ${runtime.url}`,
      dashboardLine(await webBuild, runtime.url),
      `  data:    ${dataDir ?? 'in memory (--memory): gone when the server stops'}`,
      `  token:   ${token}`,
      dataDir
        ? `           (also in ${join(dataDir, 'local-token')}; another tenant: npm run token -- <tenant>)`
        : '',
      `  try:     curl -H "Authorization: Bearer $(cat .tinystacks/local-token)" ${runtime.url}/v1/stacks`,
      `  events:  curl -N -H "Authorization: Bearer $(cat .tinystacks/local-token)" ${runtime.url}/v1/events`,
      `  docs:    ${runtime.url}/v1/openapi.json`,
      `  push:    npm run webhook -- <stackId> [branch]   (a signed GitHub push; builds take ${options.buildDelayMs} ms here)`,
      dataDir ? `  outbox:  ${join(dataDir, 'outbox')} (approval emails and Slack messages)` : '',
      options.allowPrivateWebhooks
        ? '  webhooks: --allow-private-webhooks: http:// and private/loopback addresses accepted (never on AWS)'
        : '',
      options.webhookRetryScale !== 1 ? `  webhooks: retry delays × ${options.webhookRetryScale}` : '',
      recovered.operations + recovered.records + recovered.runs + recovered.pipelines > 0
        ? `  after the last shutdown: ${recovered.operations} operation(s) finished or FAILED, ${recovered.records} database/bastion record(s) and ${recovered.pipelines} pipeline(s) set from their stacks, ${recovered.runs} run(s) FAILED`
        : '',
      'Simulated here: CloudFormation (validated against the resource specification), the customer account and its role, CodePipeline builds, email and Slack.',
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((line) => line !== '')
      .join('\n') + '\n',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping...\n');
    if (serverFile) rmSync(serverFile, { force: true });
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function dashboardLine(build: WebBuild, url: string): string {
  if (build.error) return `  dashboard: could not be built (${build.error}); the API still runs`;
  return `  dashboard: ${url}/   (open it in a browser: signed in as the local user; ${build.built ? `built in ${(build.ms / 1000).toFixed(1)} s` : 'build cached'})`;
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
