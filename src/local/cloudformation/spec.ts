import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Resource, TypeDefinition } from '@aws-cdk/service-spec-types';

/** The part of the CloudFormation resource specification the simulation reads. */
export interface ResourceSpec {
  resource(cfnType: string): Resource | undefined;
  typeDefinition(reference: { readonly $ref: string }): TypeDefinition | undefined;
}

let loaded: ResourceSpec | undefined;

/**
 * The specification bundled with `@aws-cdk/aws-service-spec`. Decompressing it takes around half a
 * second, so it is loaded on first use and shared by every LocalCloudFormation in the process.
 */
export function loadResourceSpec(): ResourceSpec {
  if (loaded) return loaded;
  const db = loadAwsServiceSpecSync();
  loaded = {
    resource: (cfnType) => db.lookup('resource', 'cloudFormationType', 'equals', cfnType)[0],
    typeDefinition: (reference) => {
      try {
        return db.get('typeDefinition', reference);
      } catch {
        return undefined;
      }
    },
  };
  return loaded;
}
