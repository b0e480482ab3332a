import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformSecretsPort } from '../cloud/ports';

/** The file the embedded runtime keeps its secrets in; `npm run webhook` reads a stack's from it. */
export const secretsFileOf = (dataDir: string) => join(dataDir, 'secrets.json');

/**
 * Secrets Manager on one machine: a JSON file readable by its owner only (0600) under the data
 * folder, or memory with --memory. Never the DynamoDB table.
 */
export class LocalPlatformSecrets implements PlatformSecretsPort {
  private readonly values: Record<string, string>;

  constructor(private readonly file: string | undefined) {
    this.values =
      file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  }

  async create(name: string, value: string): Promise<void> {
    if (name in this.values)
      throw Object.assign(new Error(`secret ${name} exists`), { name: 'ResourceExistsException' });
    this.values[name] = value;
    this.save();
  }

  async get(name: string): Promise<string | undefined> {
    return this.values[name];
  }

  async delete(name: string): Promise<void> {
    delete this.values[name];
    this.save();
  }

  /** For the runtime's own keys: created once, then kept. */
  ensure(name: string, make: () => string): string {
    if (!(name in this.values)) {
      this.values[name] = make();
      this.save();
    }
    return this.values[name]!;
  }

  private save(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify(this.values, null, 2), { mode: 0o600 });
  }
}
