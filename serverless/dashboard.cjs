/*
 * `${file(./serverless/dashboard.cjs):buildHash}`: builds the dashboard (or reuses a current build)
 * and copies it to web/dist/deploy/, which the deployDashboard function packages; the hash is a
 * property of the Custom::DashboardAssets resource, so a new build makes CloudFormation copy it.
 * Runs offline, as part of `serverless package` and `deploy`.
 *
 * CommonJS because the serverless CLI require()s variable files.
 */
/* global module, require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

let result;

module.exports = async () => {
  if (!result) {
    const root = join(__dirname, '..');
    const built = spawnSync(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'web/scripts/build.ts'), '--deploy'],
      { cwd: root, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`the dashboard did not build: ${built.stderr || built.stdout}`);
    const { hash } = JSON.parse(built.stdout.trim().split('\n').pop());
    result = { buildHash: hash };
  }
  return result;
};
