import type { PlatformSecretsPort } from './ports';

/**
 * Secrets read on request paths, cached per function instance: a webhook burst costs one
 * GetSecretValue, not one per delivery. Misses are remembered briefly, so unknown stack ids do not
 * reach Secrets Manager every time.
 */
export class SecretCache {
  private readonly entries = new Map<string, { value: string | undefined; until: number }>();

  constructor(
    readonly secrets: PlatformSecretsPort,
    private readonly ttlMs = 5 * 60_000,
    private readonly missTtlMs = 10_000,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const hit = this.entries.get(name);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await this.secrets.get(name);
    if (this.entries.size > 500) this.entries.clear();
    this.entries.set(name, {
      value,
      until: Date.now() + (value === undefined ? this.missTtlMs : this.ttlMs),
    });
    return value;
  }

  async require(name: string): Promise<string> {
    const value = await this.get(name);
    if (value === undefined) throw new Error(`secret ${name} is missing`);
    return value;
  }

  forget(name: string): void {
    this.entries.delete(name);
  }
}
