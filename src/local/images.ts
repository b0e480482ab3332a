import { createHash } from 'node:crypto';
import type { ImageRegistryPort, TargetAccount } from '../cloud/ports';
import type { SimulatedServices } from './cloudformation/effects';

/** ECR on one machine: the images the simulated builds pushed (src/local/pipelines.ts), by URI. */
export class LocalImages implements ImageRegistryPort {
  constructor(private readonly services: SimulatedServices) {}

  async findImage(_target: TargetAccount, repositoryUri: string, tag: string) {
    const image = `${repositoryUri}:${tag}`;
    if (!this.services.images.has(image)) return undefined;
    return { digest: `sha256:${createHash('sha256').update(image).digest('hex')}` };
  }
}
