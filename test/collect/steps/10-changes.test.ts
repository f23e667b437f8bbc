import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { fixedClock } from "../../../src/clock";
import { changesStep, lookupStart, safeParameters, toChangeEvent } from "../../../src/collect/steps/10-changes";
import { ChangesDataSchema } from "../../../src/evidence/schema";
import {
  ACCOUNT,
  REGION,
  SERVICE,
  TARGET_GROUP_ARN,
  TASK_DEF_ARN,
  minutesAgo,
  sdkService,
  sdkTargetGroup,
  sdkTaskDefinition,
} from "../../fixtures/aws";
import { accessDenied, htmlServerError, throttled } from "../../fixtures/errors";
import { instantLimiter, makeContext, type ContextOptions } from "../../helpers/context";

const cloudtrail = mockClient(CloudTrailClient);
const ecs = mockClient(ECSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

const SG = "sg-0task000000000001";
const FAMILY = "payment-api-task";
const DEPLOYER = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/github-actions`;
/** The window is 09:00–10:00; the lookups start 6 h before it. */
const LOOKUP_SINCE = "2026-11-26T03:00:00Z";

interface RecordSpec {
  id: string;
  name: string;
  source: string;
  minutes: number;
  readOnly: boolean;
  requestParameters?: Record<string, unknown> | null;
  resources?: Event["Resources"];
  errorCode?: string;
  errorMessage?: string;
}

/** A LookupEvents `Event` with its `CloudTrailEvent` JSON, as CloudTrail records an assumed-role API call. */
function ctEvent(spec: RecordSpec): Event {
  const eventTime = minutesAgo(spec.minutes);
  const record = {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROA3EXAMPLEPRINCIPAL:github-actions",
      arn: DEPLOYER,
      accountId: ACCOUNT,
      accessKeyId: "ASIA3EXAMPLEKEY12345",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROA3EXAMPLEPRINCIPAL",
          arn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
          accountId: ACCOUNT,
          userName: "deployer",
        },
        attributes: { creationDate: "2026-11-26T09:30:02Z", mfaAuthenticated: "false" },
      },
    },
    eventTime: eventTime.toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: REGION,
    sourceIPAddress: "140.82.112.3",
    userAgent:
      "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 command/ecs.update-service",
    ...(spec.errorCode ? { errorCode: spec.errorCode, errorMessage: spec.errorMessage } : {}),
    requestParameters: spec.requestParameters === undefined ? null : spec.requestParameters,
    responseElements: null,
    requestID: `${spec.id}-req`,
    eventID: spec.id,
    readOnly: spec.readOnly,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${spec.source.split(".")[0]}.${REGION}.amazonaws.com`,
    },
  };
  return {
    EventId: spec.id,
    EventName: spec.name,
    ReadOnly: String(spec.readOnly),
    AccessKeyId: "ASIA3EXAMPLEKEY12345",
    EventTime: eventTime,
    EventSource: spec.source,
    Username: "github-actions",
    Resources: spec.resources ?? [],
    CloudTrailEvent: JSON.stringify(record),
  };
}

const updateService = ctEvent({
  id: "5c1a9e0e-1d2b-4c3d-8e4f-000000000001",
  name: "UpdateService",
  source: "ecs.amazonaws.com",
  minutes: 12,
  readOnly: false,
  requestParameters: { cluster: "prod", service: SERVICE, taskDefinition: `${FAMILY}:43`, forceNewDeployment: false },
});
const registerTaskDefinition = ctEvent({
  id: "5c1a9e0e-1d2b-4c3d-8e4f-000000000002",
  name: "RegisterTaskDefinition",
  source: "ecs.amazonaws.com",
  minutes: 13,
  readOnly: false,
  requestParameters: {
    family: FAMILY,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/payment-api-execution`,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "512",
    memory: "1024",
    containerDefinitions: [
      {
        name: "app",
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api:v1.43`,
        essential: true,
        portMappings: [{ containerPort: 8081, protocol: "tcp" }],
        environment: [
          { name: "LOG_LEVEL", value: "info" },
          { name: "DATABASE_URL", value: "postgres://app:hunter2@db.internal:5432/payments" },
        ],
        secrets: [
          {
            name: "DB_PASSWORD",
            valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db-AbCdEf`,
          },
        ],
      },
    ],
  },
  resources: [{ ResourceType: "AWS::ECS::TaskDefinition", ResourceName: FAMILY }],
});
const authorizeIngress = ctEvent({
  id: "5c1a9e0e-1d2b-4c3d-8e4f-000000000003",
  name: "AuthorizeSecurityGroupIngress",
  source: "ec2.amazonaws.com",
  minutes: 30,
  readOnly: false,
  requestParameters: {
    groupId: SG,
    ipPermissions: {
      items: [
        {
          ipProtocol: "tcp",
          fromPort: 8081,
          toPort: 8081,
          groups: { items: [{ groupId: "sg-0alb0000000000001" }] },
          ipRanges: {},
          ipv6Ranges: {},
          prefixListIds: {},
        },
      ],
    },
  },
  resources: [{ ResourceType: "AWS::EC2::SecurityGroup", ResourceName: SG }],
});
const describeServices = ctEvent({
  id: "5c1a9e0e-1d2b-4c3d-8e4f-000000000004",
  name: "DescribeServices",
  source: "ecs.amazonaws.com",
  minutes: 5,
  readOnly: true,
  requestParameters: { cluster: "prod", services: [SERVICE] },
});
const modifyTargetGroup = ctEvent({
  id: "5c1a9e0e-1d2b-4c3d-8e4f-000000000005",
  name: "ModifyTargetGroup",
  source: "elasticloadbalancing.amazonaws.com",
  minutes: 45,
  readOnly: false,
  requestParameters: { targetGroupArn: TARGET_GROUP_ARN, healthCheckPath: "/healthz" },
  resources: [{ ResourceType: "AWS::ElasticLoadBalancingV2::TargetGroup", ResourceName: TARGET_GROUP_ARN }],
});

/** Opaque-looking tokens, as CloudTrail's are. */
const token = (value: string, page: number) =>
  `kbOt5LlLs4Jm2wR0sF3kx${Buffer.from(`${value}#${page}`).toString("base64")}`;

/**
 * Serves LookupEvents per ResourceName, page by page, and records what each request asked for at the moment
 * it was sent (the paginator reuses one input object, so recorded inputs change afterwards).
 */
function serveLookups(pages: Record<string, Array<Event[] | Error>>) {
  const requests: Array<{ value: string; nextToken?: string | undefined; input: LookupEventsCommandInput }> = [];
  cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput): LookupEventsCommandOutput => {
    const value = input.LookupAttributes?.[0]?.AttributeValue ?? "";
    requests.push({ value, nextToken: input.NextToken, input: { ...input } });
    const list = pages[value] ?? [[]];
    const index = input.NextToken === undefined ? 0 : list.findIndex((_, i) => token(value, i) === input.NextToken);
    const page = list[index];
    if (page === undefined) throw new Error(`unexpected token ${input.NextToken} for ${value}`);
    if (page instanceof Error) throw page;
    return {
      $metadata: { httpStatusCode: 200 },
      Events: page,
      ...(index < list.length - 1 ? { NextToken: token(value, index + 1) } : {}),
    };
  });
  return requests;
}

/** The task definition's family is the service's name, as is usual: the two lookups collapse into one. */
function familyIsServiceName() {
  ecs.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: sdkTaskDefinition(42) });
}

function context(options: ContextOptions = {}) {
  const limiter = instantLimiter();
  return { ctx: makeContext({ cloudTrailLimiter: limiter, ...options }), limiter };
}

async function collect(ctx: ReturnType<typeof makeContext>) {
  const result = await changesStep.collect(ctx);
  if (result.status === "skipped") throw new Error("unexpected skip");
  ChangesDataSchema.parse(result.data);
  return result;
}

describe("step 10: changes", () => {
  beforeEach(() => {
    cloudtrail.reset();
    ecs.reset();
    elbv2.reset();
    ec2.reset();
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup()] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: sdkTaskDefinition(42, { family: FAMILY, taskDefinitionArn: TASK_DEF_ARN(42, FAMILY) }),
    });
  });

  it("looks up the service and its family by name and sweeps write events from 6 h before the window, keeping write calls on the path only, newest first", async () => {
    const requests = serveLookups({
      [SERVICE]: [[describeServices, updateService]],
      // CloudTrail indexes UpdateService under the new task definition too: found twice, kept once.
      [FAMILY]: [[updateService, registerTaskDefinition]],
      // The sweep: every write in the account; the target group and security group are the service's own.
      false: [[modifyTargetGroup, authorizeIngress]],
    });
    const { ctx, limiter } = context();

    const result = await collect(ctx);

    expect(result.status).toBe("collected");
    // The service's name and the sweep start at once; the family follows the task-definition read.
    expect(requests.map((r) => r.value)).toEqual([SERVICE, "false", FAMILY]);
    expect(result.data.lookups.map((l) => l.attributeValue)).toEqual([SERVICE, FAMILY, "false"]);
    expect(requests[0]!.input).toEqual({
      LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: SERVICE }],
      StartTime: new Date(LOOKUP_SINCE),
      EndTime: new Date("2026-11-26T10:00:00Z"),
      MaxResults: 50,
    });
    expect(requests[1]!.input.LookupAttributes).toEqual([{ AttributeKey: "ReadOnly", AttributeValue: "false" }]);
    expect(limiter.acquired).toBe(3);
    expect(result.data.lookupSince).toBe(LOOKUP_SINCE);
    expect(result.data.lookups).toEqual([
      { attributeKey: "ResourceName", attributeValue: SERVICE, events: 1, truncated: false },
      { attributeKey: "ResourceName", attributeValue: FAMILY, events: 2, truncated: false },
      { attributeKey: "ReadOnly", attributeValue: "false", events: 2, truncated: false },
    ]);
    expect(result.data.events.map((e) => [e.eventName, e.matchedBy])).toEqual([
      ["UpdateService", `ResourceName=${SERVICE}`],
      ["RegisterTaskDefinition", `ResourceName=${FAMILY}`],
      ["AuthorizeSecurityGroupIngress", "ReadOnly=false"],
      ["ModifyTargetGroup", "ReadOnly=false"],
    ]);
    expect(result.data.events[0]).toEqual({
      eventId: "5c1a9e0e-1d2b-4c3d-8e4f-000000000001",
      eventName: "UpdateService",
      eventSource: "ecs.amazonaws.com",
      eventTime: "2026-11-26T09:48:00Z",
      actor: DEPLOYER,
      username: "github-actions",
      sourceIPAddress: "140.82.112.3",
      userAgent: expect.stringMatching(/^aws-cli\/2\.22\.4 /),
      requestParameters: {
        cluster: "prod",
        service: SERVICE,
        taskDefinition: `${FAMILY}:43`,
        forceNewDeployment: false,
      },
      resources: [],
      matchedBy: `ResourceName=${SERVICE}`,
    });
    expect(result.data.events[2]!.resources).toEqual([{ type: "AWS::EC2::SecurityGroup", name: SG }]);
    expect(changesStep.summarize(result.data)).toBe(
      "4 change(s): UpdateService ×1, RegisterTaskDefinition ×1, AuthorizeSecurityGroupIngress ×1, …; latest 09:48Z UpdateService by deployer/github-actions",
    );
  });

  it("never keeps container environment values or credentials from request parameters", async () => {
    serveLookups({ [FAMILY]: [[registerTaskDefinition]] });
    const { ctx } = context();

    const result = await collect(ctx);

    const text = JSON.stringify(result.data);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("ASIA3EXAMPLEKEY12345");
    const containers = result.data.events[0]!.requestParameters!["containerDefinitions"] as Array<{
      environment: unknown;
      image: string;
    }>;
    expect(containers[0]!.environment).toEqual([
      { name: "LOG_LEVEL", value: "[REDACTED:env-value]" },
      { name: "DATABASE_URL", value: "[REDACTED:env-value]" },
    ]);
    expect(containers[0]!.image).toBe(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payment-api:v1.43`);
  });

  it("follows NextToken through short and empty pages, taking a limiter slot per request", async () => {
    const older = ctEvent({
      id: "older-0001",
      name: "UpdateService",
      source: "ecs.amazonaws.com",
      minutes: 50,
      readOnly: false,
      requestParameters: { cluster: "prod", service: SERVICE, desiredCount: 6 },
    });
    const requests = serveLookups({ [SERVICE]: [[updateService], [older]], false: [[], [describeServices]] });
    const { ctx, limiter } = context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) });

    const result = await collect(ctx);

    const serviceRequests = requests.filter((r) => r.value === SERVICE);
    expect(serviceRequests.map((r) => r.nextToken)).toEqual([undefined, token(SERVICE, 1)]);
    expect(requests.filter((r) => r.value === "false").map((r) => r.nextToken)).toEqual([undefined, token("false", 1)]);
    // Two pages for the service, one for the family, two for the sweep (an empty one, then a read).
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 5);
    expect(limiter.acquired).toBe(5);
    expect(result.data.lookups[0]).toEqual({
      attributeKey: "ResourceName",
      attributeValue: SERVICE,
      events: 2,
      truncated: false,
    });
    expect(result.data.events.map((e) => e.eventId)).toEqual([updateService.EventId, "older-0001"]);
  });

  it.each([
    {
      case: "the per-lookup event cap",
      pages: [[updateService, registerTaskDefinition, authorizeIngress], [modifyTargetGroup]],
      maxChangeEvents: 2,
      requests: 1,
      kept: 2,
    },
    {
      case: "the cap reached exactly at a page end",
      pages: [[updateService, registerTaskDefinition], [authorizeIngress]],
      maxChangeEvents: 2,
      requests: 1,
      kept: 2,
    },
    {
      case: "the page bound (empty pages that keep carrying a token)",
      pages: Array.from({ length: 15 }, (): Event[] => []),
      maxChangeEvents: 50,
      requests: 2,
      kept: 0,
    },
  ])("stops at $case and says it was truncated", async ({ pages, maxChangeEvents, requests, kept }) => {
    familyIsServiceName();
    serveLookups({ [SERVICE]: pages });
    const { ctx, limiter } = context({
      service: sdkService({ loadBalancers: [], networkConfiguration: undefined }),
      limits: { maxChangeEvents },
    });

    const result = await collect(ctx);

    // The service's pages, and one (empty) page of the sweep; the family is the service's name.
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, requests + 1);
    expect(limiter.acquired).toBe(requests + 1);
    expect(result.data.lookups).toEqual([
      { attributeKey: "ResourceName", attributeValue: SERVICE, events: kept, truncated: true },
      { attributeKey: "ReadOnly", attributeValue: "false", events: 0, truncated: false },
    ]);
  });

  it("keeps the envelope's fields when the CloudTrailEvent JSON is malformed or missing, and drops reads by name", async () => {
    const malformed: Event = {
      EventId: "bad-json-0001",
      EventName: "DeleteService",
      EventTime: minutesAgo(3),
      Username: "alice",
      Resources: [{ ResourceType: "AWS::ECS::Service", ResourceName: SERVICE }],
      CloudTrailEvent: '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser"',
    };
    const bare: Event = { EventId: "bare-0001", EventName: "ListTasks", EventTime: minutesAgo(4) };
    serveLookups({ [SERVICE]: [[malformed, bare]] });
    const { ctx } = context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) });

    const result = await collect(ctx);

    expect(result.data.events).toEqual([
      {
        eventId: "bad-json-0001",
        eventName: "DeleteService",
        eventTime: "2026-11-26T09:57:00Z",
        actor: "alice",
        username: "alice",
        resources: [{ type: "AWS::ECS::Service", name: SERVICE }],
        matchedBy: `ResourceName=${SERVICE}`,
      },
    ]);
    expect(changesStep.summarize(result.data)).toBe(
      "1 change(s): DeleteService ×1; latest 09:57Z DeleteService by alice",
    );
  });

  it.each([
    { case: "JSON readOnly true", event: describeServices, kept: false },
    { case: "JSON readOnly false", event: updateService, kept: true },
    {
      case: "envelope ReadOnly only",
      event: { EventId: "x1", EventName: "CreateService", EventTime: minutesAgo(1), ReadOnly: "true" },
      kept: false,
    },
    {
      case: "a Get call by name",
      event: { EventId: "x2", EventName: "GetMetricData", EventTime: minutesAgo(1) },
      kept: false,
    },
    {
      case: "a Lookup call by name",
      event: { EventId: "x3", EventName: "LookupEvents", EventTime: minutesAgo(1) },
      kept: false,
    },
    {
      case: "a write by name",
      event: { EventId: "x4", EventName: "PutScalingPolicy", EventTime: minutesAgo(1) },
      kept: true,
    },
    { case: "no event id", event: { EventName: "UpdateService", EventTime: minutesAgo(1) }, kept: false },
    {
      case: "a denied read (errorCode set): evidence, kept",
      event: ctEvent({
        id: "x5",
        name: "GetSecretValue",
        source: "secretsmanager.amazonaws.com",
        minutes: 1,
        readOnly: true,
        errorCode: "AccessDenied",
        errorMessage: "denied",
      }),
      kept: true,
    },
    {
      case: "a failed S3 read by name only",
      event: {
        EventId: "x6",
        EventName: "GetObject",
        EventTime: minutesAgo(1),
        CloudTrailEvent: JSON.stringify({ errorCode: "NoSuchKey" }),
      },
      kept: true,
    },
  ])("read-only filter: $case", ({ event, kept }) => {
    expect(toChangeEvent(event, "ResourceName=x") !== undefined).toBe(kept);
  });

  it("records a failed call's errorCode and message", () => {
    const denied = ctEvent({
      id: "denied-0001",
      name: "UpdateService",
      source: "ecs.amazonaws.com",
      minutes: 2,
      readOnly: false,
      requestParameters: { cluster: "prod", service: SERVICE, desiredCount: 0 },
      errorCode: "AccessDeniedException",
      errorMessage: `User: ${DEPLOYER} is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${SERVICE} because no identity-based policy allows the ecs:UpdateService action`,
    });
    const event = toChangeEvent(denied, "ResourceName=payment-api")!;
    expect(event.errorCode).toBe("AccessDeniedException");
    expect(event.errorMessage).toContain("is not authorized to perform: ecs:UpdateService");
    expect(changesStep.summarize({ lookupSince: LOOKUP_SINCE, lookups: [], events: [event] })).toContain(
      "(failed: AccessDeniedException)",
    );
  });

  it("replaces request parameters above 4 KB with a summary that keeps small values and container images", () => {
    const containerDefinitions = Array.from({ length: 6 }, (_, i) => ({
      name: `sidecar-${i}`,
      image: `public.ecr.aws/acme/sidecar-${i}:1.0`,
      environment: Array.from({ length: 20 }, (_, j) => ({ name: `VAR_${j}`, value: "x".repeat(20) })),
    }));
    const summary = safeParameters({
      family: FAMILY,
      cpu: "512",
      containerDefinitions,
      volumes: Array.from({ length: 40 }, (_, i) => ({ name: `v${i}`, host: {} })),
    });

    expect(JSON.stringify(summary).length).toBeLessThan(4_096);
    expect(summary).toEqual({
      family: FAMILY,
      cpu: "512",
      containerDefinitions: containerDefinitions.map((c) => ({ name: c.name, image: c.image })),
      _truncated: expect.stringMatching(
        /^requestParameters was \d+ bytes; dropped: containerDefinitions \(all but name and image\), volumes$/,
      ),
    });
  });

  it("looks up the family parsed from the service when the task definition cannot be described", async () => {
    ecs.reset();
    ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied("ecs:DescribeTaskDefinition"));
    const requests = serveLookups({});
    const { ctx } = context({
      service: sdkService({
        taskDefinition: TASK_DEF_ARN(42, FAMILY),
        loadBalancers: [],
        networkConfiguration: undefined,
      }),
    });

    const result = await collect(ctx);

    expect(requests.map((r) => r.value)).toEqual([SERVICE, "false", FAMILY]);
    expect(result.status).toBe("collected");
    expect(changesStep.summarize(result.data)).toBe("no changes in CloudTrail since 2026-11-26T03:00Z (3 lookups)");
  });

  it("makes two lookups (the service and the sweep) when the family is the service's name", async () => {
    familyIsServiceName();
    const requests = serveLookups({});
    const { ctx } = context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) });

    const result = await collect(ctx);

    expect(requests.map((r) => r.value)).toEqual([SERVICE, "false"]);
    expect(result.data).toMatchObject({
      lookupSince: LOOKUP_SINCE,
      lookups: [
        { attributeKey: "ResourceName", attributeValue: SERVICE, events: 0, truncated: false },
        { attributeKey: "ReadOnly", attributeValue: "false", events: 0, truncated: false },
      ],
      events: [],
    });
    // The path the sweep is matched against: the service, its task definition, roles, secret and repository.
    expect(result.data.path!.map((r) => r.kind)).toEqual([
      "service",
      "service",
      "task-definition",
      "task-definition",
      "role",
      "role",
      "secret",
      "ecr-repository",
    ]);
  });

  it("finds the change made before the window: the deploy at 08:10 behind an outage first seen at 09:00", async () => {
    const deploy = ctEvent({
      id: "before-0001",
      name: "UpdateService",
      source: "ecs.amazonaws.com",
      minutes: 110,
      readOnly: false,
      requestParameters: { cluster: "prod", service: SERVICE, taskDefinition: `${FAMILY}:43` },
    });
    const requests = serveLookups({ [SERVICE]: [[deploy]] });
    const { ctx } = context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) });

    const result = await collect(ctx);

    expect(requests[0]!.input.StartTime).toEqual(new Date(LOOKUP_SINCE));
    expect(result.data.events.map((e) => [e.eventName, e.eventTime])).toEqual([
      ["UpdateService", "2026-11-26T08:10:00Z"],
    ]);
  });

  it.each([
    {
      case: "a 1 h window looks back 6 h",
      window: { since: "2026-11-26T09:00:00Z", until: "2026-11-26T10:00:00Z" },
      start: "2026-11-26T03:00:00.000Z",
    },
    {
      case: "a 12 h window looks back its own length",
      window: { since: "2026-11-25T22:00:00Z", until: "2026-11-26T10:00:00Z" },
      start: "2026-11-25T10:00:00.000Z",
    },
    {
      case: "a 60-day window stops at CloudTrail's 90 days",
      window: { since: "2026-09-27T10:00:00Z", until: "2026-11-26T10:00:00Z" },
      start: "2026-08-28T10:00:00.000Z",
    },
  ])("lookup start: $case", ({ window, start }) => {
    expect(lookupStart({ window, clock: fixedClock("2026-11-26T10:00:00Z") }).toISOString()).toBe(start);
  });

  it("is partial when one lookup fails, with that lookup's error naming cloudtrail:LookupEvents", async () => {
    serveLookups({ [SERVICE]: [[updateService]], false: [accessDenied("cloudtrail:LookupEvents")] });
    const { ctx } = context();

    const result = await collect(ctx);

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    const failed = result.data.lookups.find((l) => l.attributeKey === "ReadOnly")!;
    expect(failed.error).toMatchObject({
      kind: "access_denied",
      code: "AccessDeniedException",
      operation: "cloudtrail:LookupEvents",
    });
    expect(failed.error!.hint).toContain("cloudtrail:LookupEvents");
    expect(result.errors).toEqual([failed.error]);
    expect(result.data.events.map((e) => e.eventName)).toEqual(["UpdateService"]);
  });

  it("keeps the pages read before a lookup was throttled", async () => {
    familyIsServiceName();
    serveLookups({
      [SERVICE]: [[updateService], throttled("cloudtrail")],
      false: [throttled("cloudtrail")],
    });
    const { ctx, limiter } = context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) });

    // Every lookup failed, so the step fails as a whole; the runner records the error.
    const thrown = await changesStep.collect(ctx).catch((e: unknown) => e);
    expect(toStepError(thrown)).toMatchObject({
      kind: "throttled",
      code: "ThrottlingException",
      operation: "cloudtrail:LookupEvents",
    });
    expect(limiter.acquired).toBe(3);

    cloudtrail.reset();
    ecs.reset();
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: sdkTaskDefinition(42, { family: FAMILY, taskDefinitionArn: TASK_DEF_ARN(42, FAMILY) }),
    });
    serveLookups({ [SERVICE]: [[updateService], throttled("cloudtrail")], [FAMILY]: [[registerTaskDefinition]] });
    const partial = await collect(
      context({ service: sdkService({ loadBalancers: [], networkConfiguration: undefined }) }).ctx,
    );
    expect(partial.status).toBe("partial");
    expect(partial.data.lookups[0]).toMatchObject({ attributeValue: SERVICE, events: 1, error: { kind: "throttled" } });
    expect(partial.data.events.map((e) => e.eventName)).toEqual(["UpdateService", "RegisterTaskDefinition"]);
  });

  it.each([
    {
      case: "AccessDenied",
      error: accessDenied("cloudtrail:LookupEvents"),
      kind: "access_denied",
      code: "AccessDeniedException",
      hint: /^AccessDenied on cloudtrail:LookupEvents — grant it .* who changed what/,
    },
    {
      case: "throttling",
      error: throttled("cloudtrail"),
      kind: "throttled",
      code: "ThrottlingException",
      hint: /^cloudtrail:LookupEvents was throttled/,
    },
    {
      case: "an endpoint without LookupEvents (moto)",
      error: htmlServerError(),
      kind: "api_unavailable",
      code: "SyntaxError",
      hint: /^cloudtrail:LookupEvents is not available at this endpoint .* HTTP 500$/,
    },
  ])("throws when every lookup fails: $case", async ({ error, kind, code, hint }) => {
    cloudtrail.on(LookupEventsCommand).rejects(error);
    const { ctx, limiter } = context();

    const thrown = await changesStep.collect(ctx).catch((e: unknown) => e);

    const stepError = toStepError(thrown);
    expect(stepError).toMatchObject({ kind, code, operation: "cloudtrail:LookupEvents" });
    expect(stepError.hint).toMatch(hint);
    expect(limiter.acquired).toBe(3);
  });
});
