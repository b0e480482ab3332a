import { pipelineNameOf } from '../domain/pipeline';
import { BUILD_ENVIRONMENT } from './architecture';
import { getAtt, ref, sub } from './intrinsics';
import type { CfnTemplate } from './types';

export interface PipelineTemplateInput {
  stackId: string;
  stackName: string;
  /** owner/repo */
  repository: string;
  branch: string;
}

/**
 * The stack's build pipeline, in the customer's account: CodePipeline (V2: a run can name the commit
 * it builds) fetches the commit through a CodeStar connection to GitHub, CodeBuild builds the
 * Dockerfile and pushes `<ECR repository>:<commit sha>`. The pipeline never starts by itself
 * (DetectChanges: false): the platform starts it for each push its webhook accepts.
 *
 * GitHub connections are created PENDING: the customer completes the handshake once in the console
 * (Developer Tools → Connections), which AWS requires.
 */
export const BUILDSPEC = [
  'version: 0.2',
  'phases:',
  '  pre_build:',
  '    commands:',
  '      - aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
  '      - IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
  '  build:',
  '    commands:',
  '      - docker build -t "$REPOSITORY_URI:$IMAGE_TAG" .',
  '  post_build:',
  '    commands:',
  '      - docker push "$REPOSITORY_URI:$IMAGE_TAG"',
  '',
].join('\n');

const assumedBy = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

export function renderPipelineTemplate(input: PipelineTemplateInput): CfnTemplate {
  const pipelineName = pipelineNameOf(input.stackId);
  const repositoryUri = sub('${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${ImageRepository}');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `TinyStacks build pipeline of ${input.stackName} (${input.repository}, ${input.branch})`,
    Resources: {
      ImageRepository: {
        Type: 'AWS::ECR::Repository',
        Properties: {
          RepositoryName: `tinystacks/${input.stackId}`,
          ImageScanningConfiguration: { ScanOnPush: true },
          ImageTagMutability: 'IMMUTABLE',
          EmptyOnDelete: true,
          LifecyclePolicy: {
            LifecyclePolicyText: JSON.stringify({
              rules: [
                {
                  rulePriority: 1,
                  description: 'keep the last 50 builds',
                  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
                  action: { type: 'expire' },
                },
              ],
            }),
          },
        },
      },
      // CloudFormation cannot delete a bucket that still holds objects, and every run leaves its
      // source and build artifacts here: deleting the stack keeps the bucket (DELETE_SKIPPED), and
      // its lifecycle rule empties it within 30 days. Nothing in it is needed after the stack.
      ArtifactBucket: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          LifecycleConfiguration: {
            Rules: [{ Id: 'expire-artifacts', Status: 'Enabled', ExpirationInDays: 30 }],
          },
        },
      },
      GitHubConnection: {
        Type: 'AWS::CodeStarConnections::Connection',
        Properties: { ConnectionName: `ts-${input.stackId.slice(4)}`, ProviderType: 'GitHub' },
      },
      BuildLogs: {
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { LogGroupName: `/tinystacks/${input.stackId}/build`, RetentionInDays: 30 },
      },
      BuildRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: assumedBy('codebuild.amazonaws.com'),
          Policies: [
            {
              PolicyName: 'build',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                    Resource: getAtt('BuildLogs', 'Arn'),
                  },
                  { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
                  {
                    Effect: 'Allow',
                    Action: [
                      'ecr:BatchCheckLayerAvailability',
                      'ecr:BatchGetImage',
                      'ecr:CompleteLayerUpload',
                      'ecr:GetDownloadUrlForLayer',
                      'ecr:InitiateLayerUpload',
                      'ecr:PutImage',
                      'ecr:UploadLayerPart',
                    ],
                    Resource: getAtt('ImageRepository', 'Arn'),
                  },
                  {
                    Effect: 'Allow',
                    Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
                    Resource: sub('${ArtifactBucket.Arn}/*'),
                  },
                ],
              },
            },
          ],
        },
      },
      BuildProject: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Description: `Builds the Docker image of ${input.repository}`,
          ServiceRole: getAtt('BuildRole', 'Arn'),
          Source: { Type: 'CODEPIPELINE', BuildSpec: BUILDSPEC },
          Artifacts: { Type: 'CODEPIPELINE' },
          Environment: {
            ...BUILD_ENVIRONMENT,
            ComputeType: 'BUILD_GENERAL1_SMALL',
            PrivilegedMode: true,
            EnvironmentVariables: [{ Name: 'REPOSITORY_URI', Type: 'PLAINTEXT', Value: repositoryUri }],
          },
          LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: ref('BuildLogs') } },
          TimeoutInMinutes: 60,
        },
      },
      PipelineRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: assumedBy('codepipeline.amazonaws.com'),
          Policies: [
            {
              PolicyName: 'pipeline',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:GetBucketVersioning'],
                    Resource: [getAtt('ArtifactBucket', 'Arn'), sub('${ArtifactBucket.Arn}/*')],
                  },
                  {
                    Effect: 'Allow',
                    Action: ['codestar-connections:UseConnection'],
                    Resource: ref('GitHubConnection'),
                  },
                  {
                    Effect: 'Allow',
                    Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
                    Resource: getAtt('BuildProject', 'Arn'),
                  },
                ],
              },
            },
          ],
        },
      },
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Name: pipelineName,
          PipelineType: 'V2',
          ExecutionMode: 'QUEUED',
          RoleArn: getAtt('PipelineRole', 'Arn'),
          ArtifactStore: { Type: 'S3', Location: ref('ArtifactBucket') },
          Stages: [
            {
              Name: 'Source',
              Actions: [
                {
                  Name: 'Source',
                  ActionTypeId: {
                    Category: 'Source',
                    Owner: 'AWS',
                    Provider: 'CodeStarSourceConnection',
                    Version: '1',
                  },
                  Configuration: {
                    ConnectionArn: ref('GitHubConnection'),
                    FullRepositoryId: input.repository,
                    BranchName: input.branch,
                    DetectChanges: false,
                    OutputArtifactFormat: 'CODE_ZIP',
                  },
                  OutputArtifacts: [{ Name: 'Source' }],
                },
              ],
            },
            {
              Name: 'Build',
              Actions: [
                {
                  Name: 'Image',
                  ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
                  Configuration: { ProjectName: ref('BuildProject') },
                  InputArtifacts: [{ Name: 'Source' }],
                },
              ],
            },
          ],
        },
      },
    },
    Outputs: {
      PipelineName: { Value: ref('Pipeline') },
      ImageRepositoryUri: { Value: repositoryUri },
      GitHubConnectionArn: {
        Value: ref('GitHubConnection'),
        Description: 'Complete the handshake once in the console: Developer Tools → Connections',
      },
    },
  };
}
