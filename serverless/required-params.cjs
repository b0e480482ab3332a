/*
 * `${required:<name>}`: a deploy parameter (`--param="<name>=…"`, or `params:` in serverless.yml)
 * that has no sensible default. `serverless package` and `print` run without it, with a
 * placeholder in its place (`<jwtIssuerUrl: set at deploy>`), so the template can be built and
 * checked with no parameters at all. Any other command, `deploy` first, stops before it touches
 * AWS, naming every missing parameter and how to give it.
 *
 * CommonJS because the serverless CLI require()s plugins.
 */
/* global module */

/** Commands that only build or show the template: they may run without the parameters. */
const OFFLINE_COMMANDS = new Set(['package', 'print']);

class RequiredParams {
  constructor(serverless) {
    const command = (serverless.processedInput?.commands ?? [])[0];
    const offline = OFFLINE_COMMANDS.has(command);
    this.configurationVariablesSources = {
      required: {
        resolve: async ({ address, resolveVariable }) => {
          const value = await resolveVariable(`param:${address}, null`);
          if (value !== null && value !== undefined && value !== '') return { value };
          if (offline) return { value: `<${address}: set at deploy>` };
          throw new serverless.classes.Error(
            `The deploy parameter ${address} is required: give it with --param="${address}=…" ` +
              '(README, "Deploying to AWS"). Only `serverless package` runs without it.',
            'MISSING_REQUIRED_PARAM',
          );
        },
      },
    };
  }
}

module.exports = RequiredParams;
