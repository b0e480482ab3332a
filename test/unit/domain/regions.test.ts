import { domainErrorOf } from '../../support/domain-errors';
import regionServices from '../../../src/domain/data/region-services.json' with { type: 'json' };
import { assertRegionServes, missingInRegion } from '../../../src/domain/region-services';
import { accountOfArn, partitionOfArn, regionInfo } from '../../../src/domain/regions';
import { featureResourceTypes } from '../../../scripts/aws-data/feature-templates';

const errorOf = domainErrorOf;

describe('regions, from the AWS SDK’s partition data', () => {
  test.each([
    ['us-east-1', 'aws', 'amazonaws.com'],
    ['eu-west-1', 'aws', 'amazonaws.com'],
    ['cn-north-1', 'aws-cn', 'amazonaws.com.cn'],
    ['us-gov-west-1', 'aws-us-gov', 'amazonaws.com'],
  ])('%s is listed, in partition %s', (region, partition, dnsSuffix) => {
    // Act
    const info = regionInfo(region);

    // Assess
    expect(info).toMatchObject({ region, partition, dnsSuffix });
    expect(info?.description).toEqual(expect.any(String));
  });

  // The SDK's partition() answers every name that looks like a region (its regex fallback); only a
  // listed region comes back with a description. This pins the behaviour regionInfo relies on.
  test.each(['us-east-9', 'eu-west-7', 'aws-global', 'local', ''])('%p is not a region', (region) => {
    // Act / Assess
    expect(regionInfo(region)).toBeUndefined();
  });

  test('ARN parts', () => {
    // Act / Assess
    expect(partitionOfArn('arn:aws-cn:iam::444455556666:role/x')).toBe('aws-cn');
    expect(accountOfArn('arn:aws:iam::444455556666:role/x')).toBe('444455556666');
  });
});

describe('services per region, from cfn-lint’s per-region resource types', () => {
  test('the committed data covers exactly the resource types the templates render now', () => {
    // Prepare / Act
    const rendered = featureResourceTypes();

    // Assess: a template that gains a type needs `npx tsx scripts/aws-data/region-services.ts`
    expect(regionServices.features).toEqual(rendered);
  });

  test('CodeStar Connections is missing in some regions: the build pipeline cannot go there', () => {
    // Prepare
    const lacking = regionServices.unavailable['AWS::CodeStarConnections::Connection'];

    // Act
    const error = errorOf(() => assertRegionServes(lacking[0]!, ['pipeline']));

    // Assess
    expect(lacking.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ status: 400, details: { field: 'region' } });
    expect(error.message).toContain('CodeStarConnections');
    expect(error.message).toContain("the stack's build pipeline");
    expect(missingInRegion('us-east-1', ['pipeline'])).toEqual([]);
  });

  test('only the features that lack something are named', () => {
    // Prepare: a region that lacks CodeStar Connections but has what a stage needs
    const region = regionServices.unavailable['AWS::CodeStarConnections::Connection'].find(
      (r) => missingInRegion(r, ['stage']).length === 0,
    )!;

    // Act
    const error = errorOf(() => assertRegionServes(region, ['pipeline', 'stage']));

    // Assess
    expect(error.message).toContain("which the stack's build pipeline needs");
    expect(error.message).not.toContain("stage's service");
  });

  test.each([
    ['us-east-9', 'the AWS SDK lists'],
    ['cn-north-1', 'aws-cn partition'],
  ])('%s is refused with a 400 naming the field (%s)', (region, why) => {
    // Act
    const error = errorOf(() =>
      assertRegionServes(region, ['stage'], { field: 'region', platformPartition: 'aws' }),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field: 'region' } });
    expect(error.message).toContain(why);
  });

  test('a region the SDK lists but the service data does not cover is refused, not guessed', () => {
    // Prepare: listed by the SDK, absent from cfn-lint's data (if the two ever agree, nothing to test)
    const uncovered = ['me-west-1', 'sa-west-1'].filter(
      (r) => regionInfo(r) && !regionServices.regions.includes(r),
    );

    // Act / Assess
    for (const region of uncovered) {
      expect(errorOf(() => assertRegionServes(region, ['stage'])).message).toContain('does not know yet');
    }
  });
});
