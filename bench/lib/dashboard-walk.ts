import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routes } from '../../src/api/routes';
import type { UnitName } from '../../src/deploy/units';

/**
 * A model of the cold starts a person clicking through a fresh deployment meets: the API calls of
 * the README's walk-throughs (every `$API/v1/…` in its bash blocks, with its method), each mapped to
 * the route it reaches and that route's unit. Each distinct unit is one cold start at most.
 */
export interface DashboardWalk {
  calls: number;
  routes: string[];
  units: UnitName[];
  unmatched: string[];
}

const compiled = routes.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

export function dashboardWalk(root: string): DashboardWalk {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  const units = new Set<UnitName>();
  const unmatched: string[] = [];
  let calls = 0;
  // A command continues on the next line after a backslash.
  for (const command of blocks.join('\n').replace(/\\\n/g, ' ').split('\n')) {
    for (const call of command.matchAll(/(?:\$API|wait_for '?)(\/v1\/[^\s'"?)]*)/g)) {
      const method = /-X (POST|PATCH|DELETE)/.exec(command.slice(0, call.index))?.[1] ?? 'GET';
      // $STACK, ${RUN}, a for-loop's $path: one path segment each.
      const path = call[1]!.replace(/\$\{?\w+\}?(\/\$\{?\w+\}?)*/g, (m) => m.replace(/\$\{?\w+\}?/g, 'x'));
      calls += 1;
      const hit = compiled.find((c) => c.route.method === method && c.pattern.test(path));
      if (!hit) {
        unmatched.push(`${method} ${call[1]}`);
        continue;
      }
      seen.add(`${hit.route.method} ${hit.route.path}`);
      units.add(hit.route.unit);
    }
  }
  return { calls, routes: [...seen].sort(), units: [...units].sort(), unmatched };
}
