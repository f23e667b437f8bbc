import "aws-sdk-client-mock-vitest/extend";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, vi } from "vitest";

/** Every AWS SDK client class the code uses: the ones a test file may stub (aws-sdk-client-mock, on the prototype). */
const SDK_CLIENTS: ReadonlyArray<{ prototype: { send: unknown } }> = [
  ApplicationAutoScalingClient,
  CloudTrailClient,
  CloudWatchClient,
  CloudWatchLogsClient,
  DynamoDBClient,
  EC2Client,
  ECRClient,
  ECSClient,
  ElasticLoadBalancingV2Client,
  LambdaClient,
  S3Client,
  SSMClient,
];

// Test files share their worker's modules (vitest.config.ts: isolate false), so what a file changes process-wide
// must not outlive it: at its end its environment stubs are undone, its timers are real again, and every client class
// sends for real (a `mockClient(ECSClient)` left in place would answer the next file's clients — moto-backed ones
// included — instead of the service).
afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  for (const { prototype } of SDK_CLIENTS) {
    // aws-sdk-client-mock stubs `send` on the prototype (sinon); the stub's `restore` brings back the inherited one.
    if (Object.hasOwn(prototype, "send")) (prototype.send as { restore?: () => void }).restore?.();
  }
});
