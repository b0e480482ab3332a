import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setLogSink } from '../log';
import { parseCliOptions } from './options';
import { recoverInterruptedRuns } from './pipelines-runtime';
import { recoverInterruptedOperations } from './recovery';
import { startRuntime } from './runtime';
import { serverFileOf } from './server-file';

const LOCAL_TENANT = 'local';

async function main() {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const logFile = dataDir ? join(dataDir, 'server.log') : undefined;
  setLogSink((line) => {
    process.stdout.write(`${line}\n`);
    if (logFile) appendFileSync(logFile, `${line}\n`);
  });

  const runtime = await startRuntime({
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
  const recovered = await recoverInterruptedOperations(runtime.store, runtime.dynamo.documentClient);
  const recoveredRuns = await recoverInterruptedRuns(
    runtime.dynamo.documentClient,
    runtime.store.tableName,
    runtime.store,
  );
  const token = runtime.tokenFor(LOCAL_TENANT, 'local-user');
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
      recovered > 0 ? `  marked ${recovered} operation(s) interrupted by the last shutdown as FAILED` : '',
      recoveredRuns > 0
        ? `  marked ${recoveredRuns} pipeline run(s) interrupted by the last shutdown as FAILED`
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

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
