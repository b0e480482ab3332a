/**
 * The one CPU architecture images are built for and run on: ARM64 (Graviton). Fargate's ARM64 tasks
 * cost about 20 % less than X86_64 ones, and CodeBuild's ARM environments less than its x86 ones.
 * An image built on one architecture does not start on the other, so the build project
 * (pipeline.ts) and the task definition (service.ts) both take it from here. The default image
 * (public.ecr.aws/nginx/nginx) is multi-architecture.
 */
export const CPU_ARCHITECTURE = 'ARM64';

/** The ECS task definition's platform. */
export const RUNTIME_PLATFORM = { CpuArchitecture: CPU_ARCHITECTURE, OperatingSystemFamily: 'LINUX' };

/** CodeBuild's environment for that architecture (Amazon Linux 2023 with Docker). */
export const BUILD_ENVIRONMENT = {
  Type: 'ARM_CONTAINER',
  Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
};
