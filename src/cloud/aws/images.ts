import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { repositoryOf } from '../../domain/pipeline';
import { CloudError } from '../errors';
import type { ImageRegistryPort, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

const clients = new BoundedCache<ECRClient>(MAX_CACHED);

const ecr = (target: TargetAccount) => customerClient(clients, target, (config) => new ECRClient(config));

/**
 * The stack's ECR repository in the customer's account, through their role (as src/cloud/aws/pipelines.ts
 * does for CodePipeline), in the repository's own region.
 */
export const images: ImageRegistryPort = {
  async findImage(target, repositoryUri, tag) {
    const repository = repositoryOf(repositoryUri);
    if (!repository) return undefined;
    const client = await ecr({ ...target, region: repository.region });
    try {
      const out = await client.send(
        new DescribeImagesCommand({
          registryId: repository.registryId,
          repositoryName: repository.repositoryName,
          imageIds: [{ imageTag: tag }],
        }),
      );
      const digest = out.imageDetails?.[0]?.imageDigest;
      return digest ? { digest } : undefined;
    } catch (error) {
      // Neither is a failure of the run: there is nothing to reuse, so the commit is built.
      if (error instanceof ImageNotFoundException || error instanceof RepositoryNotFoundException)
        return undefined;
      if (isThrottling(error))
        throw new CloudError('Throttled', `ECR throttled DescribeImages on ${repositoryUri}`);
      throw error;
    }
  },
};
