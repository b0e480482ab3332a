/** `npm run web:build`: builds the dashboard into web/dist/ now (npm start does it when its sources changed). */
import { ensureWebBuild } from '../../src/local/web';

const build = await ensureWebBuild({ force: true });
if (build.error) {
  console.error(`dashboard build failed: ${build.error}`);
  process.exit(1);
}
console.log(`dashboard built in ${(build.ms / 1000).toFixed(1)} s: ${build.dir}`);
