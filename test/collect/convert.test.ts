import { describe, expect, it } from "vitest";
import { toTaskDefinition } from "../../src/collect/convert";
import { REGION, sdkTaskDefinition } from "../fixtures/aws";

/** A task definition whose only container uses `logConfiguration` and `healthCheck` as given. */
function withContainer(
  logConfiguration: { logDriver: "splunk" | "awsfirelens" | "awslogs"; options: Record<string, string> },
  command?: string[],
) {
  const base = sdkTaskDefinition(42).containerDefinitions![0]!;
  return toTaskDefinition(
    sdkTaskDefinition(42, {
      containerDefinitions: [
        {
          ...base,
          logConfiguration: { ...logConfiguration, secretOptions: [] },
          ...(command ? { healthCheck: { command, interval: 30 } } : {}),
        },
      ],
    }),
    "current",
  ).containers[0]!;
}

describe("toTaskDefinition redacts what a task definition carries in clear", () => {
  it("redacts Splunk's token and keeps the endpoint", () => {
    const container = withContainer({
      logDriver: "splunk",
      options: {
        "splunk-url": "https://splunk.example.com:8088",
        "splunk-token": "6a2c1f0e-3b4d-4c5e-8f90-123456789abc",
        "splunk-source": "payment-api",
      },
    });

    expect(container.logConfiguration).toEqual({
      logDriver: "splunk",
      options: {
        "splunk-url": "https://splunk.example.com:8088",
        "splunk-token": "[REDACTED:secret]",
        "splunk-source": "payment-api",
      },
    });
  });

  it("redacts FireLens credentials by option name and by what the value looks like", () => {
    const container = withContainer({
      logDriver: "awsfirelens",
      options: {
        Name: "http",
        Host: "logs.example.com",
        Http_User: "shipper",
        Http_Passwd: "hunter2hunter2",
        apikey: "0123456789abcdef0123456789abcdef",
        api_key: "dd-0123456789",
        Header: "Authorization Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzaGlwcGVyIn0.c2lnbmF0dXJl",
        URI: "https://shipper:s3cretpass@logs.example.com/ingest",
      },
    });

    const options = container.logConfiguration!.options;
    expect(options).toMatchObject({
      Name: "http",
      Host: "logs.example.com",
      Http_User: "shipper",
      Http_Passwd: "[REDACTED:secret]",
      apikey: "[REDACTED:secret]",
      api_key: "[REDACTED:secret]",
      URI: "https://shipper:[REDACTED:url-credentials]@logs.example.com/ingest",
    });
    expect(options["Header"]).not.toContain("eyJ");
    expect(JSON.stringify(options)).not.toMatch(/hunter2|s3cretpass|0123456789abcdef/);
  });

  it("keeps awslogs' group, region and prefix exactly, whatever they look like", () => {
    // 40 mixed-case characters with digits: the shape of an AWS secret key, but a log group's name here.
    const group = "/ecs/PaymentApiProd2026ClusterBlueGreen1";
    const container = withContainer({
      logDriver: "awslogs",
      options: { "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" },
    });

    expect(container.logConfiguration!.options).toEqual({
      "awslogs-group": group,
      "awslogs-region": REGION,
      "awslogs-stream-prefix": "ecs",
    });
  });

  it("redacts secrets in the health-check command", () => {
    const container = withContainer({ logDriver: "awslogs", options: {} }, [
      "CMD-SHELL",
      "curl -fs -H 'Authorization: Bearer sk_live_0123456789abcdefghij' http://localhost:8080/health || exit 1",
    ]);

    expect(container.healthCheck!.command[0]).toBe("CMD-SHELL");
    expect(container.healthCheck!.command[1]).toContain("http://localhost:8080/health || exit 1");
    expect(container.healthCheck!.command[1]).not.toContain("sk_live_0123456789abcdefghij");
  });
});
