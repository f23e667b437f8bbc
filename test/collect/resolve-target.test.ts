import { DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseTargetQuery, resolveTarget } from "../../src/collect/resolve-target";
import { AwsCallError, InvalidNameError, TargetAmbiguousError, TargetNotFoundError } from "../../src/errors";
import { ACCOUNT, REGION, SERVICE, SERVICE_ARN, sdkService } from "../fixtures/aws";
import { accessDenied, notFound } from "../fixtures/errors";

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: REGION });
const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const missing = (cluster: string, service: string) => ({
  services: [],
  failures: [{ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${service}`, reason: "MISSING" }],
});

beforeEach(() => ecsMock.reset());

describe("parseTargetQuery", () => {
  it.each([
    { case: "a plain name", input: { service: "payment-api" }, want: { service: "payment-api", cluster: undefined } },
    { case: "cluster/name", input: { service: "prod/payment-api" }, want: { service: "payment-api", cluster: "prod" } },
    {
      case: "a service ARN (new format)",
      input: { service: SERVICE_ARN },
      want: { service: "payment-api", cluster: "prod" },
    },
    {
      case: "an old-format ARN with --cluster",
      input: { service: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/payment-api`, cluster: "prod" },
      want: { service: "payment-api", cluster: "prod" },
    },
    {
      case: "a cluster ARN",
      input: { service: "payment-api", cluster: clusterArn("prod") },
      want: { service: "payment-api", cluster: clusterArn("prod") },
    },
  ])("accepts $case", ({ input, want }) => {
    expect(parseTargetQuery(input)).toEqual(want);
  });

  it.each([
    { case: "spaces", input: { service: "payment api" } },
    { case: "shell characters", input: { service: "payment-api;rm" } },
    { case: "a name over 255 characters", input: { service: "a".repeat(256) } },
    { case: "too many slashes", input: { service: "a/b/c" } },
    { case: "an empty name", input: { service: "  " } },
    { case: "a bad cluster", input: { service: "payment-api", cluster: "prod cluster" } },
  ])("rejects $case before any AWS call", ({ input }) => {
    expect(() => parseTargetQuery(input)).toThrow(InvalidNameError);
  });
});

describe("resolveTarget", () => {
  it("describes the service in the given cluster and derives account and region from its ARN", async () => {
    ecsMock
      .on(DescribeServicesCommand, { cluster: "prod", services: [SERVICE] })
      .resolves({ services: [sdkService()], failures: [] });

    const { target } = await resolveTarget(ecs, { service: SERVICE, cluster: "prod" });

    expect(target).toEqual({
      account: ACCOUNT,
      region: REGION,
      cluster: "prod",
      clusterArn: clusterArn("prod"),
      service: SERVICE,
      serviceArn: SERVICE_ARN,
    });
    expect(ecsMock).toHaveReceivedCommandTimes(ListClustersCommand, 0);
  });

  it("searches every cluster, across ListClusters pages, when no cluster is given", async () => {
    ecsMock
      .on(ListClustersCommand, { nextToken: undefined })
      .resolves({ clusterArns: [clusterArn("dev"), clusterArn("staging")], nextToken: "t1" })
      .on(ListClustersCommand, { nextToken: "t1" })
      .resolves({ clusterArns: [], nextToken: "t2" })
      .on(ListClustersCommand, { nextToken: "t2" })
      .resolves({ clusterArns: [clusterArn("prod")] });
    ecsMock
      .on(DescribeServicesCommand)
      .callsFake((input: { cluster: string }) =>
        input.cluster === clusterArn("prod")
          ? { services: [sdkService()], failures: [] }
          : missing(input.cluster, SERVICE),
      );

    const { target } = await resolveTarget(ecs, { service: SERVICE });

    expect(target.cluster).toBe("prod");
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 3);
  });

  it("lists the candidates when the name exists in several clusters", async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn("prod"), clusterArn("staging")] });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { cluster: string }) => ({
      services: [
        sdkService({
          clusterArn: input.cluster,
          serviceArn: `${input.cluster.replace(":cluster/", ":service/")}/${SERVICE}`,
        }),
      ],
      failures: [],
    }));

    const error = await resolveTarget(ecs, { service: SERVICE }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TargetAmbiguousError);
    expect((error as TargetAmbiguousError).candidates.map((c) => c.cluster)).toEqual(["prod", "staging"]);
    expect((error as Error).message).toBe(
      '"payment-api" exists in 2 clusters: prod/payment-api, staging/payment-api. Say which with --cluster.',
    );
  });

  it("names the clusters searched and suggests similar names when nothing matches", async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn("prod"), clusterArn("staging")] });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { cluster: string }) => missing(input.cluster, "payment"));
    ecsMock.on(ListServicesCommand).callsFake((input: { cluster: string }) => ({
      serviceArns:
        input.cluster === clusterArn("prod")
          ? [SERVICE_ARN, `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`]
          : [],
    }));

    const error = await resolveTarget(ecs, { service: "payment" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TargetNotFoundError);
    expect((error as TargetNotFoundError).clustersSearched).toEqual(["prod", "staging"]);
    expect((error as Error).message).toBe(
      'No active service "payment" in 2 clusters (prod, staging). Did you mean prod/payment-api?',
    );
  });

  it.each([
    {
      case: "a deleted (INACTIVE) service",
      reply: () => Promise.resolve({ services: [sdkService({ status: "INACTIVE" })], failures: [] }),
    },
    { case: "a MISSING failure", reply: () => Promise.resolve(missing("prod", SERVICE)) },
  ])("reports not found for $case", async ({ reply }) => {
    ecsMock.on(DescribeServicesCommand).callsFake(reply);
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });

    await expect(resolveTarget(ecs, { service: SERVICE, cluster: "prod" })).rejects.toThrow(
      'No active service "payment-api" in cluster prod.',
    );
  });

  it("says there are no clusters when the account has none", async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [] });
    await expect(resolveTarget(ecs, { service: SERVICE })).rejects.toThrow(
      /No ECS clusters in this account and region/,
    );
  });

  it("passes AccessDenied through, tagged with the operation to grant", async () => {
    ecsMock.on(DescribeServicesCommand).rejects(accessDenied("ecs:DescribeServices"));
    const error = await resolveTarget(ecs, { service: SERVICE, cluster: "prod" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).operation).toBe("ecs:DescribeServices");
  });

  it("says a named cluster does not exist (not that the service is missing), with the clusters there and the nearest", async () => {
    const arn = (c: string) => `arn:aws:ecs:us-east-1:123456789012:cluster/${c}`;
    ecsMock.on(DescribeServicesCommand).rejects(notFound("ecs", "ClusterNotFoundException", "Cluster not found."));
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [arn("prod"), arn("staging")] });
    await expect(resolveTarget(ecs, { service: SERVICE, cluster: "prdo" })).rejects.toThrow(
      'No ECS cluster "prdo" in this account and region. Did you mean prod? Clusters here: prod, staging.',
    );
  });

  it("suggests the nearest service names for a typo (edit distance), nearest first", async () => {
    ecsMock.on(DescribeServicesCommand).resolves(missing("prod", "paymnet-api"));
    ecsMock.on(ListServicesCommand).resolves({
      serviceArns: ["payment-api", "payments-worker", "checkout", "billing-api"].map(
        (n) => `arn:aws:ecs:us-east-1:123456789012:service/prod/${n}`,
      ),
    });
    await expect(resolveTarget(ecs, { service: "paymnet-api", cluster: "prod" })).rejects.toThrow(
      /Did you mean prod\/payment-api\?/,
    );
  });
});
