/**
 * `npm run web:build`: builds the dashboard into web/dist/<hash>/ now (npm start builds it only when
 * its sources changed). `--deploy` reuses a current build and copies it to web/dist/deploy/, the
 * folder `serverless deploy` packages (serverless/dashboard.cjs runs this), printing `{"hash"}`.
 */
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from '../../src/local/web';

const deploy = process.argv.includes('--deploy');
const build = await ensureWebBuild({ force: !deploy });
if (build.error || !build.dir) {
  console.error(`dashboard build failed: ${build.error}`);
  process.exit(1);
}
if (deploy) {
  const target = join(dirname(fileURLToPath(import.meta.url)), '../dist/deploy');
  rmSync(target, { recursive: true, force: true });
  cpSync(build.dir, target, { recursive: true });
  console.log(JSON.stringify({ hash: build.dir.split('/').pop(), built: build.built, ms: build.ms }));
} else {
  console.log(`dashboard built in ${(build.ms / 1000).toFixed(1)} s: ${build.dir}`);
}
