import { reservedReason } from '../../../src/domain/environment';

/** The rows of the Environment Variables editor. */
export interface EnvRow {
  name: string;
  value: string;
}

/**
 * The rows as the API's `environment` object, refusing what the API refuses before it is sent:
 * an empty or malformed name, a name given twice, and names the platform injects (the same rule,
 * imported from src/domain/environment.ts). Errors are keyed like the API's `environment.<NAME>`.
 */
export function rowsToEnvironment(rows: readonly EnvRow[]): {
  environment: Record<string, string>;
  errors: Record<string, string>;
} {
  const environment: Record<string, string> = {};
  const errors: Record<string, string> = {};
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (name === '' && row.value === '') return;
    const field = `environment.${name || index}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name))
      errors[field] =
        `${name || 'a variable'} is not a valid name: letters, digits and _, not starting with a digit`;
    else if (name in environment) errors[field] = `${name} is given twice`;
    else {
      const reason = reservedReason(name);
      if (reason) errors[field] = `${name} is reserved: ${reason}`;
    }
    environment[name] = row.value;
  });
  return { environment, errors };
}

export const environmentToRows = (environment: Record<string, string>): EnvRow[] =>
  Object.entries(environment).map(([name, value]) => ({ name, value }));

export { reservedReason };
